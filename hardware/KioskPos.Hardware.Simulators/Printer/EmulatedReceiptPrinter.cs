using System.Text;
using KioskPos.Core.Receipts;
using KioskPos.Firmware.Devices;
using KioskPos.Firmware.Printing;
using KioskPos.Firmware.Transports;

namespace KioskPos.Hardware.Simulators.Printer;

/// <summary>
/// The printer of <c>make run</c> and the tests: the real ESC/POS driver talking TCP to an in-process
/// <see cref="EscPosEmulator"/>. Each job the driver confirms is saved as <c>{reference}.png</c> (the paper as the
/// emulator printed it) with a plain-text twin <c>{reference}.txt</c> (the document's text, for people and tests); a
/// reprint is saved as <c>{reference}-in-lai-2.png</c> and so on, so that no file is overwritten.
/// </summary>
public sealed class EmulatedReceiptPrinter : IReceiptPrinter, IAsyncDisposable
{
    private readonly EmulatorHost _host;
    private readonly EscPosPrinter _driver;
    private int _pagesSeen;
    private int _disposed;

    /// <summary>Starts an emulator for <paramref name="language"/> and a driver connected to it; receipts go to <paramref name="folder"/>.</summary>
    public EmulatedReceiptPrinter(string folder, PrinterLanguage language, ReceiptFonts fonts, PrinterTimeouts? timeouts = null)
    {
        Folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(Folder);
        // Every receipt is saved to the folder; in memory only the last few pages (a terminal's memory is measured
        // with this emulator in it: bench/README.md, `payments`).
        Emulator = new EscPosEmulator(language.WidthDots, fonts, pagesKept: 4);

        // A terminal set up with another vendor's code page numbers gets an emulator that reads them as that vendor's.
        if (language.CodePage is { } page && language.TextMode == PrinterTextMode.Windows1258)
        {
            Emulator.CodePageOverrides[page] = 1258;
        }
        else if (language.CodePage is { } lower && language.TextMode == PrinterTextMode.Tcvn3)
        {
            Emulator.CodePageOverrides[lower] = -30;
            Emulator.CodePageOverrides[language.CapitalsCodePage ?? lower + 1] = -31;
        }
        _host = new EmulatorHost(Emulator);
        var port = _host.ListenTcp();
        _driver = new EscPosPrinter(new TcpTransport("127.0.0.1", port), new DocumentEncoder(language, fonts), timeouts);
    }

    /// <summary>The emulated printer (its paper and cover can be changed).</summary>
    public EscPosEmulator Emulator { get; }

    /// <summary>Where receipts are saved.</summary>
    public string Folder { get; }

    /// <inheritdoc />
    public string Name => $"emulator ({_driver.Name})";

    /// <inheritdoc />
    public PrinterLanguage Language => _driver.Language;

    /// <inheritdoc />
    public Task<PrinterStatus?> GetStatusAsync(CancellationToken cancellationToken) => _driver.GetStatusAsync(cancellationToken);

    /// <inheritdoc />
    public Task<PrintOutcome> PrintAsync(PrintDocument document, CancellationToken cancellationToken) =>
        PrintAsync(document, openDrawer: true, cancellationToken);

    /// <inheritdoc />
    public async Task<PrintOutcome> PrintAsync(PrintDocument document, bool openDrawer, CancellationToken cancellationToken)
    {
        var outcome = await _driver.PrintAsync(document, openDrawer, cancellationToken).ConfigureAwait(false);
        var pages = Emulator.Pages;
        var fresh = pages.Where(p => p.Number > _pagesSeen).ToList();
        _pagesSeen = pages.Count > 0 ? pages[^1].Number : _pagesSeen;
        if (outcome.Printed && fresh.LastOrDefault(p => p.Complete) is { } page)
        {
            var name = FileNameFor(document.Reference ?? $"job-{page.Number:D4}");
            await WriteAtomicallyAsync(name + ".png", page.ToPng(), cancellationToken).ConfigureAwait(false);
            await WriteAtomicallyAsync(name + ".txt", Encoding.UTF8.GetBytes(string.Join('\n', document.ToLines(Language.Columns)) + "\n"), cancellationToken).ConfigureAwait(false);
        }

        return outcome;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _driver.Dispose();
        await _host.DisposeAsync().ConfigureAwait(false);
    }

    private string FileNameFor(string reference)
    {
        var safe = string.Concat(reference.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_'));
        var name = safe;
        for (var copy = 2; File.Exists(Path.Combine(Folder, name + ".png")); copy++)
        {
            name = $"{safe}-in-lai-{copy}";
        }

        return name;
    }

    private async Task WriteAtomicallyAsync(string file, byte[] content, CancellationToken cancellationToken)
    {
        var target = Path.Combine(Folder, file);
        await File.WriteAllBytesAsync(target + ".tmp", content, cancellationToken).ConfigureAwait(false);
        File.Move(target + ".tmp", target, overwrite: true);
    }
}
