using KioskPos.Core.Domain;
using KioskPos.Core.Text;
using KioskPos.Firmware.Devices;
using KioskPos.Storage;

namespace KioskPos.Terminal.Services;

/// <summary>Reads taps from the card reader, looks each card up, and records it as the card presented.</summary>
internal sealed class CardTapListener(ICardReader reader, CatalogueStore catalogue, CardPresence presence, ILogger<CardTapListener> logger) : BackgroundService
{
    /// <summary>How long a failed reader rests before it is read, so opened, again.</summary>
    public static readonly TimeSpan Retry = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // An MFRC522 is opened and set up at its first poll, which must not hold up the host's start.
        await Task.Yield();
        string? lastFailure = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var read in reader.ReadAsync(stoppingToken).ConfigureAwait(false))
                {
                    lastFailure = null;
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
                // The reader itself failed (not there at start, unplugged, the bus errored, no access to its device
                // files): the terminal keeps taking QR and code payments, the status says the reader is unavailable,
                // and the reader is opened again in a moment rather than stopping the terminal. The same failure
                // every 2 s is said once, then at Debug.
                logger.Log(e.Message == lastFailure ? LogLevel.Debug : LogLevel.Error, e, "Card reader {Reader} failed ({Error}); reading again in 2 s", reader.Name, e.Message);
                lastFailure = e.Message;
                await Task.Delay(Retry, stoppingToken).ConfigureAwait(false);
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
