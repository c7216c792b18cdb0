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
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var read in reader.ReadAsync(stoppingToken).ConfigureAwait(false))
                {
                    try
                    {
                        await HandleAsync(read, stoppingToken).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException)
                    {
                        // The database did not answer in time (busy, disk): this tap is lost and the person taps
                        // again; the reader goes on.
                        presence.ReportProblem(CardProblem.ReadFailed, read.At);
                        logger.LogError(e, "Reader {Reader}: the tap could not be looked up ({Error}); tap again", read.Reader, e.Message);
                    }
                }

                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return; // shutting down
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or TimeoutException or UnauthorizedAccessException)
            {
                // The reader itself failed (unplugged, the bus errored): the terminal keeps taking QR and code
                // payments, and the reader is opened again in a moment rather than stopping the terminal.
                logger.LogError(e, "Card reader {Reader} failed ({Error}); reading again in 2 s", reader.Name, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken).ConfigureAwait(false);
            }
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
