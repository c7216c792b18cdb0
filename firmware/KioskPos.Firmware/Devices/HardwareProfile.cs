using System.Text.Json;
using System.Text.Json.Serialization;
using KioskPos.Core.Hardware;
using KioskPos.Firmware.Transports;

namespace KioskPos.Firmware.Devices;

/// <summary>
/// One supported combination of devices (<c>hardware/profiles/*.json</c>): card readers, printer, paper, text mode,
/// and the GPIO pins (BCM numbering) of the status light, buzzer and help button.
/// </summary>
public sealed record HardwareProfile
{
    /// <summary>The profile's name (its file name).</summary>
    public required string Name { get; init; }

    /// <summary>What it is for, for technicians.</summary>
    public string? Description { get; init; }

    /// <summary>Card readers, as in <c>Hardware:CardReader</c>, and the 2D scanner (<c>scanner:/dev/input/…</c>) among them.</summary>
    public required string CardReader { get; init; }

    /// <summary>Printer, as in <c>Hardware:Printer</c>.</summary>
    public required string Printer { get; init; }

    /// <summary>True when the profile names a simulator (see <see cref="NamesSimulator"/>).</summary>
    [JsonIgnore]
    public bool IsSimulated => NamesSimulator(CardReader, Printer, Gpio) || Display.Contains(":simulated", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when any of the devices is a simulator: the simulated card reader, the printer emulator, the in-memory GPIO.</summary>
    /// <remarks>In any case: the readers' setting is read whatever the case of its kind, so <c>Simulated</c> is the simulator too.</remarks>
    public static bool NamesSimulator(string cardReader, string printer, string gpio) =>
        cardReader.Contains("simulated", StringComparison.OrdinalIgnoreCase) || printer.Trim().ToLowerInvariant() is "emulator" or "simulated" || gpio.Trim().Equals("simulated", StringComparison.OrdinalIgnoreCase);

    /// <summary>Where the customer sees the QR: <c>browser</c> (default), <c>hdmi2</c>, or an SPI panel (<see cref="DisplaySetting"/>).</summary>
    public string Display { get; set; } = "browser";

    /// <summary>58 or 80.</summary>
    public int PaperWidthMm { get; set; } = 58;

    /// <summary>raster, tcvn3, windows1258 or ascii.</summary>
    public string PrinterTextMode { get; set; } = "raster";

    /// <summary><c>chip</c> (default: the board's GPIO through <c>/dev/gpiochip0</c>) or <c>simulated</c> (in memory).</summary>
    public string Gpio { get; set; } = "chip";

    /// <summary>GPIO of the status light, or null.</summary>
    public int? LightPin { get; init; }

    /// <summary>GPIO of the buzzer, or null.</summary>
    public int? BuzzerPin { get; init; }

    /// <summary>GPIO of the help button (to ground, internal pull-up), or null.</summary>
    public int? HelpButtonPin { get; init; }

    /// <summary>Receipts carry their number as a CODE128 barcode (counters that scan them back).</summary>
    public bool ReceiptBarcode { get; init; }

    /// <summary>A cash drawer on the printer's kick-out connector, pin 2 or 5 (counters still taking cash), or null.</summary>
    public int? CashDrawerPin { get; init; }

    /// <summary>Payments confirmed by the bank are announced through the speaker ("Đã nhận … đồng"); default on.</summary>
    public bool Announce { get; set; } = true;

    /// <summary>The announcement's volume, 0–100 (0: silent); default 80.</summary>
    public int SpeakerVolume { get; set; } = 80;

    /// <summary>
    /// The headphone jack that switches speech on when headphones are plugged in: <c>auto</c> (found by its capability),
    /// an evdev file, or <c>none</c>; null leaves the terminal's setting.
    /// </summary>
    public string? HeadphoneJack { get; init; }


    /// <summary>Reads a profile file.</summary>
    /// <exception cref="InvalidOperationException">The file is missing or not a profile, with what to do.</exception>
    public static HardwareProfile Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"Hardware profile {path} does not exist; the profiles are in hardware/profiles (on a terminal, /etc/kioskpos/profiles).");
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), HardwareProfileJsonContext.Default.HardwareProfile)
                ?? throw new InvalidOperationException($"Hardware profile {path} is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"Hardware profile {path} is not valid: {e.Message}", e);
        }
    }

    /// <summary>
    /// Everything wrong with this profile on this machine, each with what a technician should do; empty when it can
    /// start. <paramref name="deviceExists"/> tells whether a device file exists (the real file system by default).
    /// </summary>
    public IReadOnlyList<string> Validate(Func<string, bool>? deviceExists = null)
    {
        deviceExists ??= path => File.Exists(path) || Directory.Exists(path);
        var problems = new List<string>();
        var pins = new HeaderPins();
        try
        {
            foreach (var reader in CardReaderSetting.ParseList(CardReader))
            {
                switch (reader.Kind)
                {
                    case CardReaderKind.Mfrc522 when !deviceExists(reader.Path):
                        problems.Add($"{reader.Path} is missing: enable SPI (dtparam=spi=on in /boot/firmware/config.txt, or raspi-config → Interface Options → SPI) and reboot.");
                        break;
                    case CardReaderKind.Evdev when !deviceExists(reader.Path):
                        problems.Add($"{reader.Path} is missing: plug the USB reader in and look its name up with ls /dev/input/by-id/ (the one ending in -event-kbd).");
                        break;
                    case CardReaderKind.Scanner when reader.Path != "simulated" && !deviceExists(reader.Path):
                        problems.Add($"{reader.Path} is missing: plug the 2D scanner in (USB keyboard mode, US layout, Enter after each code) and look its name up with ls /dev/input/by-id/ (the one ending in -event-kbd).");
                        break;
                    case CardReaderKind.Serial when !deviceExists(reader.Path):
                        problems.Add($"{reader.Path} is missing: plug the serial reader in (USB-serial appears as /dev/ttyUSB0), or for the UART enable it (enable_uart=1) and disable the serial console.");
                        break;
                }

                pins.Spi0InUse |= reader.UsesSpi0;
                foreach (var (pin, use) in reader.Pins())
                {
                    Pin(pin, use);
                }
            }
        }
        catch (FormatException e)
        {
            problems.Add(e.Message);
        }

        try
        {
            var display = DisplaySetting.Parse(Display);
            if (display.Kind == DisplayKind.Spi && !display.IsSimulated && !deviceExists(display.Path))
            {
                problems.Add($"{display.Path} is missing: enable SPI (dtparam=spi=on in /boot/firmware/config.txt) and reboot; a panel on CE1 is /dev/spidev0.1.");
            }

            pins.Spi0InUse |= display.UsesSpi0;
            foreach (var (pin, use) in display.Pins())
            {
                Pin(pin, use);
            }
        }
        catch (FormatException e)
        {
            problems.Add(e.Message);
        }

        if (HeadphoneJack is { Length: > 0 } jack && jack is not ("none" or "auto") && !deviceExists(jack))
        {
            problems.Add($"{jack} is missing: the headphone jack's input device is listed by grep -B5 'SW=' /proc/bus/input/devices (or say \"auto\").");
        }

        // Not the speaker's volume: a terminal's own profile outside 0-100 still starts, the volume clamped when it
        // speaks (as the Hardware:SpeakerVolume setting is); payments do not stop over an announcement. The province
        // refuses such a profile before pushing it (ProfileValues.SpeakerVolumeProblem).
        string?[] values = [ProfileValues.PaperWidthProblem(PaperWidthMm), CashDrawerPin is { } drawer ? ProfileValues.CashDrawerPinProblem(drawer) : null];
        problems.AddRange(values.OfType<string>());

        if (Printer is not ("emulator" or "simulated"))
        {
            try
            {
                if (PrinterTransports.Parse(Printer) is DeviceFileTransport file && !deviceExists(file.Path))
                {
                    problems.Add($"{file.Path} is missing: plug the printer in and switch it on (USB printers appear as /dev/usb/lp0).");
                }
            }
            catch (ArgumentException e)
            {
                problems.Add(e.Message);
            }
        }

        void Pin(int pin, string use)
        {
            if (pins.Take(pin, use) is { } problem)
            {
                problems.Add(problem);
            }
        }

        if (LightPin is { } light)
        {
            Pin(light, "status light");
        }

        if (BuzzerPin is { } buzzer)
        {
            Pin(buzzer, "buzzer");
        }

        if (HelpButtonPin is { } help)
        {
            Pin(help, "help button");
        }

        if (Gpio is not ("chip" or "simulated"))
        {
            problems.Add($"gpio must be chip or simulated, not '{Gpio}'.");
        }
        else if (Gpio == "chip" && pins.Count > 0 && !deviceExists("/dev/gpiochip0"))
        {
            problems.Add("/dev/gpiochip0 is missing: this is not a Raspberry Pi's GPIO, or the kernel lacks the GPIO character device; remove the pins from the profile or run on the Pi.");
        }

        return problems;
    }
}

/// <summary>
/// Source-generated JSON for profiles (no reflection: the terminal publishes with native AOT). Properties with a
/// default are settable, not init-only: the generator sets every init-only property, and would overwrite a default
/// the file leaves out.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(HardwareProfile))]
internal sealed partial class HardwareProfileJsonContext : JsonSerializerContext;
