using System.Text;
using KioskPos.Firmware.Devices;

namespace KioskPos.Hardware.Simulators;

/// <summary>
/// A printer that writes each job as a UTF-8 text file <c>{JobId}.txt</c> in a folder, atomically (a reader never
/// sees half a receipt), and a job's QR code as <c>{JobId}.qr.png</c>. <see cref="PaperOut"/> makes it fail like a
/// real printer with no paper.
/// </summary>
public sealed class TextFilePrinter(string folder, int columns = 32) : IReceiptPrinter
{
    /// <inheritdoc />
    public string Name => "simulated (text files)";

    /// <inheritdoc />
    public int Columns => columns;

    /// <summary>The folder receipts are written to.</summary>
    public string Folder { get; } = Path.GetFullPath(folder);

    /// <summary>While true, jobs fail with "paper out" and nothing is written.</summary>
    public bool PaperOut { get; set; }

    /// <inheritdoc />
    public async Task<PrintOutcome> PrintAsync(PrintJob job, CancellationToken cancellationToken)
    {
        if (PaperOut)
        {
            return new PrintOutcome(false, "Máy in hết giấy / printer out of paper");
        }

        if (job.JobId.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || job.JobId.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Job id '{job.JobId}' cannot name a file.", nameof(job));
        }

        Directory.CreateDirectory(Folder);
        var target = Path.Combine(Folder, job.JobId + ".txt");
        var temporary = target + ".tmp";
        try
        {
            if (job.QrPayload is { } qr)
            {
                var image = Path.Combine(Folder, job.JobId + ".qr.png");
                await File.WriteAllBytesAsync(image + ".tmp", Core.VietQr.QrImages.Png(qr, 4), cancellationToken).ConfigureAwait(false);
                File.Move(image + ".tmp", image, overwrite: true);
            }

            await File.WriteAllTextAsync(temporary, string.Join('\n', job.Lines) + "\n", new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
            File.Move(temporary, target, overwrite: true);
            return PrintOutcome.Done;
        }
        catch (IOException e)
        {
            return new PrintOutcome(false, $"Không ghi được biên lai / could not write the receipt: {e.Message}");
        }
    }
}
