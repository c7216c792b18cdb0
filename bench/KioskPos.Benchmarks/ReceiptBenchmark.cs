using System.Diagnostics;
using System.Text.Json;
using KioskPos.Core.Domain;
using KioskPos.Core.Money;
using KioskPos.Core.Receipts;
using KioskPos.Firmware.Printing;
using KioskPos.Hardware.Simulators.Printer;

namespace KioskPos.Benchmarks;

/// <summary>
/// make bench's receipt run: a typical 80 mm tuition receipt (10 lines and a lookup QR) laid out, rendered and
/// encoded by KioskPos, warm, median and p99; the same receipt through @point-of-sale/receipt-printer-encoder (npm,
/// text mode) in the same run, with the ratio. The npm encoder's bytes are then rendered by KioskPos's emulator, to
/// show it reads another encoder's stream (and what that stream does to Vietnamese).
/// </summary>
internal static class ReceiptBenchmark
{
    private const int Warm = 100;
    private const int Runs = 500;

    public static async Task<int> RunAsync()
    {
        using var fonts = ReceiptFonts.Load();
        var receipt = new Receipt(
            new Institution("TH-001", "Trường THCS Nguyễn Du", InstitutionType.LowerSecondary, "Châu Thành"), "T01", "T01-000042",
            new DateTimeOffset(2026, 9, 5, 9, 30, 0, TimeSpan.FromHours(7)), "HS2024-0187", "Nguyễn Thị Bảo Ngọc", PayerKind.Pupil, "8A3",
            Enumerable.Range(1, 10).Select(i => new ReceiptItem($"Học phí tháng {i} - lớp 8A3, học kỳ I", BillCategory.Tuition, new Vnd(125_000), Vnd.Zero)).ToList(),
            new Vnd(1_250_000), PaymentMethod.CardBalance, "04A1B2C3", new Vnd(750_000), "Trần Văn Ước");
        const string Lookup = "https://tinh.example/r/T01-000042?h=9f3a61c2d0be";
        var raster = new DocumentEncoder(new PrinterLanguage(80), fonts);
        var text = new DocumentEncoder(new PrinterLanguage(80, PrinterTextMode.Tcvn3), null);
        var (rasterMedian, rasterP99) = Measure(() => raster.Encode(ReceiptLayouts.Payment(receipt, PrintCopy.Original, Lookup)));
        var (textMedian, textP99) = Measure(() => text.Encode(ReceiptLayouts.Payment(receipt, PrintCopy.Original, Lookup)));
        Console.WriteLine($"KioskPos raster (layout + render 576 dots + GS v 0): median {rasterMedian:0.000} ms, p99 {rasterP99:0.000} ms, {raster.Encode(ReceiptLayouts.Payment(receipt, PrintCopy.Original, Lookup)).Length:N0} bytes");
        Console.WriteLine($"KioskPos text mode (TCVN-3, native QR):              median {textMedian:0.000} ms, p99 {textP99:0.000} ms");

        var folder = FindScriptFolder();
        var capture = Path.Combine(Path.GetTempPath(), $"kioskpos-npm-receipt-{Environment.ProcessId}.bin");
        var start = new ProcessStartInfo("node", ["bench.mjs", "--out", capture]) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        using var node = Process.Start(start)!;
        var output = await node.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
        var error = await node.StandardError.ReadToEndAsync().ConfigureAwait(false);
        await node.WaitForExitAsync().ConfigureAwait(false);
        if (node.ExitCode != 0)
        {
            Console.Error.WriteLine($"receipt-printer-encoder run failed ({node.ExitCode}): {error}");
            return 1;
        }

        using var json = JsonDocument.Parse(output);
        var npmMedian = json.RootElement.GetProperty("median").GetDouble();
        var npmP99 = json.RootElement.GetProperty("p99").GetDouble();
        Console.WriteLine($"receipt-printer-encoder 4.0.1 (text mode, node):     median {npmMedian:0.000} ms, p99 {npmP99:0.000} ms");
        Console.WriteLine($"ratio npm / KioskPos raster: median {npmMedian / rasterMedian:0.0}x, p99 {npmP99 / rasterP99:0.0}x; npm / KioskPos text: median {npmMedian / textMedian:0.0}x");
        Console.WriteLine($"target: KioskPos raster render+encode under 10 ms: {(rasterMedian < 10 ? "met" : "NOT MET")}; faster than npm: {(rasterMedian < npmMedian ? "yes" : "NO")}");

        var emulator = new EscPosEmulator(RasterRenderer.Width80mm, fonts);
        var pages = emulator.RenderAll(File.ReadAllBytes(capture));
        var png = Path.ChangeExtension(capture, ".png");
        File.WriteAllBytes(png, pages[0].ToPng());
        Console.WriteLine($"npm encoder's stream through the KioskPos emulator: {pages.Count} page(s), {emulator.NotUnderstood.Count} sequences not understood, image {png}");
        File.Delete(capture);
        return 0;
    }

    private static (double Median, double P99) Measure(Func<byte[]> encode)
    {
        for (var i = 0; i < Warm; i++)
        {
            encode();
        }

        var times = new double[Runs];
        for (var i = 0; i < Runs; i++)
        {
            var started = Stopwatch.GetTimestamp();
            encode();
            times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        Array.Sort(times);
        return (times[Runs / 2], times[(int)(Runs * 0.99)]);
    }

    private static string FindScriptFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "bench", "receipt-encoder-js");
            if (File.Exists(Path.Combine(candidate, "bench.mjs")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("bench/receipt-encoder-js not found above " + AppContext.BaseDirectory);
    }
}
