using KioskPos.Core.Domain;
using KioskPos.Core.Text;
using KioskPos.Firmware.Devices;
using KioskPos.Storage;

namespace KioskPos.Terminal.Services;

/// <summary>Reads taps from the card reader, looks each card up, and records it as the card presented.</summary>
internal sealed class CardTapListener(ICardReader reader, CatalogueStore catalogue, CardPresence presence, ILogger<CardTapListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var read in reader.ReadAsync(stoppingToken).ConfigureAwait(false))
            {
                await HandleAsync(read, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    internal async Task<CardTap?> HandleAsync(CardRead read, CancellationToken cancellationToken)
    {
        if (read.Problem is { } problem)
        {
            presence.ReportProblem(problem, read.At);
            logger.LogInformation("Reader {Reader}: {Problem}", read.Reader, problem == CardProblem.MultipleCards ? "several cards at once (one card at a time)" : "the card left before it was read");
            return null;
        }

        if (!CardUid.TryNormalise(read.UidHex, out var uid))
        {
            logger.LogWarning("Reader {Reader} gave a UID that is not 4, 5, 7 or 10 bytes; ignored", read.Reader);
            return null;
        }

        // The card is known by its UID; a card whose issuer wrote the payer's code into it (a MIFARE block, an
        // NTAG page: Hardware:CardNumberBlock/Page) is also known by that code.
        var account = await catalogue.FindByCardAsync(uid, cancellationToken).ConfigureAwait(false);
        if (account is null && PayerCode.TryNormalise(read.CardNumber, out var code))
        {
            account = await catalogue.FindByCodeAsync(code, cancellationToken).ConfigureAwait(false);
        }

        var tap = new CardTap(uid, read.At, account?.Code, account?.Refuses(uid) ?? false);
        presence.Record(tap);
        logger.LogInformation("Card {Card} tapped on {Reader}: {Outcome}", PersonalData.MaskCardUid(uid), read.Reader,
            account is null ? "not recognised" : tap.Blocked ? "blocked" : "recognised");
        return tap;
    }
}
