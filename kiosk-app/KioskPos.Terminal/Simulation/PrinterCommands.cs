using System.CommandLine;
using KioskPos.Core.Hardware;
using KioskPos.Firmware.Printing;
using KioskPos.Hardware.Simulators.Printer;
using KioskPos.Core.Text;

namespace KioskPos.Terminal.Simulation;

/// <summary>
/// <c>printer render FILE</c>: draws a captured ESC/POS byte stream (from this terminal or any other encoder) as PNG
/// pages, and says what it did not understand, so that a technician can see what a printer was sent.
/// Exit codes: 0 rendered, 1 rendered with bytes not understood, 2 usage or unreadable file.
/// </summary>
internal static class PrinterCommands
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "The captured bytes (e.g. from a printer's port, or --capture)" };
        var output = new Option<string?>("--out", "-o") { Description = "Output PNG (pages after the first get -2, -3...); default: FILE.png" };
        var width = new Option<int>("--width") { Description = $"Paper: {ProfileValues.PaperWidths} mm", DefaultValueFactory = _ => 80 };
        var render = new Command("render", "Render a captured ESC/POS byte file to PNG and report what was not understood") { file, output, width };
        render.SetAction(result =>
        {
            var path = result.GetValue(file)!;
            if (!File.Exists(path))
            {
                Console.Error.WriteLine(Messages.Both("cli.printer.no_such_file", path));
                return 2;
            }

            if (!ProfileValues.IsPaperWidth(result.GetValue(width)))
            {
                Console.Error.WriteLine($"--width is {ProfileValues.PaperWidths}");
                return 2;
            }

            using var fonts = ReceiptFonts.Load();
            var emulator = new EscPosEmulator(result.GetValue(width) == 80 ? RasterRenderer.Width80mm : RasterRenderer.Width58mm, fonts);
            var pages = emulator.RenderAll(File.ReadAllBytes(path));
            var target = result.GetValue(output) ?? path + ".png";
            for (var i = 0; i < pages.Count; i++)
            {
                var name = i == 0 ? target : Path.ChangeExtension(target, null) + $"-{i + 1}.png";
                File.WriteAllBytes(name, pages[i].ToPng());
                Console.WriteLine($"{name}: {pages[i].Image.Width}×{pages[i].Image.Height} dots{(pages[i].Complete ? ", cut" : ", not cut")}" +
                    $"{(pages[i].QrCodes.Count > 0 ? $", QR: {string.Join(" | ", pages[i].QrCodes)}" : string.Empty)}");
            }

            foreach (var line in emulator.NotUnderstood)
            {
                Console.WriteLine(Messages.Both("cli.printer.not_understood", line));
            }

            Console.WriteLine($"{pages.Count} page(s), {emulator.BytesReceived} bytes, {emulator.NotUnderstood.Count} not understood");
            return emulator.NotUnderstood.Count == 0 ? 0 : 1;
        });

        return new Command("printer", "Receipt printer tools") { render };
    }
}
