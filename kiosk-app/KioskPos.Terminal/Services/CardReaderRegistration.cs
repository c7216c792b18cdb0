using System.Device.Gpio;
using System.Device.Spi;
using KioskPos.Core.Hardware;
using KioskPos.Firmware.Devices;
using KioskPos.Firmware.Readers;
using KioskPos.Firmware.Readers.Iso14443;
using KioskPos.Firmware.Readers.Mfrc522;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
#if SIMULATORS
using KioskPos.Hardware.Simulators.Rfid;
using KioskPos.Hardware.Simulators.Scanner;
#endif

namespace KioskPos.Terminal.Services;

/// <summary>
/// Opens what an MFRC522 is wired to: its SPI device and, when its NRSTPD pin is wired (<c>reset=</c>), the GPIO
/// controller of that pin. The board's own devices by default (<see cref="CardReaderRegistration.OpenBoardWiring"/>);
/// the tests put the chip emulator and a simulated GPIO in its place to run the registration's real path.
/// </summary>
/// <param name="reader">The reader's setting.</param>
/// <exception cref="IOException">A device is missing or cannot be opened.</exception>
internal delegate (SpiDevice Spi, GpioController? Gpio) Mfrc522Wiring(CardReaderSetting reader);

/// <summary>
/// Builds the configured card readers, merged into the one stream the application reads, and the 2D scanners
/// (<c>scanner:</c>) that read citizen-ID cards' QR beside them (<see cref="ScanListener"/>).
/// </summary>
internal static class CardReaderRegistration
{
    public static IServiceCollection AddCardReaders(this IServiceCollection services, HardwareOptions hardware, IReadOnlyList<CardReaderSetting> specs)
    {
        if (specs.Count == 0)
        {
            throw new InvalidOperationException("Hardware:CardReader names no reader; use 'simulated' or a real one (see the README).");
        }

        // A real reader is polled at 10 ms at the fastest (its bus and the Pi's CPU); the emulated chip answers at once, so
        // a terminal on the simulator alone may poll it faster (the crash test: 2 ms, a tap in a few milliseconds).
        var fastest = specs.All(s => s.Kind == CardReaderKind.Simulated) ? 1 : 10;
        var poll = TimeSpan.FromMilliseconds(Math.Clamp(hardware.ReaderPollMs, fastest, 1000));
        var number = NumberLocation(hardware);
        if (specs.Any(s => s.Kind == CardReaderKind.Simulated))
        {
#if SIMULATORS
            services.AddSingleton(sp => new EmulatedCardReader(sp.GetRequiredService<TimeProvider>(), poll, sp.GetRequiredService<ILoggerFactory>().CreateLogger<EmulatedCardReader>(), number));
#else
            throw new InvalidOperationException(SimulationAbsent.Message("Hardware:CardReader"));
#endif
        }

        var scanners = specs.Where(s => s.Kind == CardReaderKind.Scanner).ToList();
        var cardReaders = specs.Where(s => s.Kind != CardReaderKind.Scanner).ToList();
        services.TryAddSingleton(new Mfrc522Wiring(OpenBoardWiring));
        services.AddSingleton<ICardReader>(sp =>
        {
            var time = sp.GetRequiredService<TimeProvider>();
            var logs = sp.GetRequiredService<ILoggerFactory>();
            // A counter with only a scanner has no card reader: an empty merge, which never yields a tap. No reader
            // opens its device here: each does at its first read, in the tap listener's loop, so a reader that is
            // missing or refused is one the terminal does without (and says so) rather than a host that cannot start.
            var readers = cardReaders.Select(spec => Create(sp, spec, poll, number, time, logs)).ToList();
            return readers.Count == 1 ? readers[0] : new MergedCardReader(readers, CardTapListener.Retry, logs.CreateLogger<MergedCardReader>());
        });
        if (scanners.Any(s => s.Path == SimulatedScanner))
        {
#if SIMULATORS
            // make run's 2D scanner: a FIFO in the data folder that /dev/scanner (the /dev page's buttons) types scans
            // into as key events; the terminal reads it as it reads a real scanner's evdev file.
            services.AddSingleton(sp => new EmulatedScanner(Path.Combine(sp.GetRequiredService<IOptions<TerminalOptions>>().Value.DataDirectory, "scanner-event-kbd"), sp.GetRequiredService<TimeProvider>()));
#else
            throw new InvalidOperationException(SimulationAbsent.Message("Hardware:CardReader (scanner:simulated)"));
#endif
        }

        if (scanners.Count > 0)
        {
            services.AddSingleton<IHostedService>(sp =>
            {
                var time = sp.GetRequiredService<TimeProvider>();
                var logs = sp.GetRequiredService<ILoggerFactory>();
                return new ScanListener(
                    [.. scanners.Select(spec => new KeyboardWedgeScanner(ScannerPath(sp, spec), time, logger: logs.CreateLogger<KeyboardWedgeScanner>()))],
                    sp.GetRequiredService<CitizenIdScans>(), logs.CreateLogger<ScanListener>());
            });
        }

        return services;
    }

    /// <summary>The path of <c>scanner:simulated</c>: the emulated scanner's FIFO.</summary>
    public const string SimulatedScanner = "simulated";

    private static string ScannerPath(IServiceProvider sp, CardReaderSetting spec) =>
#if SIMULATORS
        spec.Path == SimulatedScanner ? sp.GetRequiredService<EmulatedScanner>().Path : spec.Path;
#else
        spec.Path;
#endif

    private static ICardReader Create(IServiceProvider sp, CardReaderSetting spec, TimeSpan poll, CardNumberLocation number, TimeProvider time, ILoggerFactory logs) => spec.Kind switch
    {
#if SIMULATORS
        CardReaderKind.Simulated => sp.GetRequiredService<EmulatedCardReader>(),
#endif
        CardReaderKind.Evdev => new KeyboardWedgeReader(spec.Path, spec.Format, time, logger: logs.CreateLogger<KeyboardWedgeReader>()),
        CardReaderKind.Serial => new SerialCardReader(spec.Path, spec.BaudRate, spec.Framing, spec.Format, time, logs.CreateLogger<SerialCardReader>()),
        _ => Mfrc522Reader(sp.GetRequiredService<Mfrc522Wiring>(), spec, poll, number, time, logs),
    };

    // The chip is opened at the reader's first poll, and again after each failure: see Mfrc522CardReader.
    private static Mfrc522CardReader Mfrc522Reader(Mfrc522Wiring wiring, CardReaderSetting spec, TimeSpan poll, CardNumberLocation number, TimeProvider time, ILoggerFactory logs)
    {
        var (bus, chipSelect) = spec.SpiAddress;
        return new Mfrc522CardReader(Mfrc522.BusNameOf(new SpiConnectionSettings(bus, chipSelect)), () =>
        {
            var (spi, gpio) = wiring(spec);
            try
            {
                return new Mfrc522(spi, gpio, spec.ResetPin, shouldDispose: true); // opens the reset pin
            }
            catch (Exception)
            {
                spi.Dispose();
                gpio?.Dispose();
                throw;
            }
        }, poll, time, number, logger: logs.CreateLogger<Mfrc522CardReader>());
    }

    /// <summary>
    /// The board's SPI device, and its GPIO character device for the reset pin (<see cref="BoardGpio"/>: the udev rule
    /// gives the terminal's user <c>/dev/gpiochip*</c>, not <c>/dev/gpiomem</c>).
    /// </summary>
    internal static (SpiDevice Spi, GpioController? Gpio) OpenBoardWiring(CardReaderSetting spec)
    {
        if (!File.Exists(spec.Path))
        {
            throw new IOException($"{spec.Path} does not exist: enable SPI (dtparam=spi=on in /boot/firmware/config.txt, or raspi-config → Interface Options → SPI) and reboot.");
        }

        var (bus, chipSelect) = spec.SpiAddress;
        var spi = SpiDevice.Create(new SpiConnectionSettings(bus, chipSelect) { ClockFrequency = 1_000_000, Mode = SpiMode.Mode0 });
        try
        {
            return (spi, spec.ResetPin >= 0 ? BoardGpio.Open() : null);
        }
        catch (IOException)
        {
            spi.Dispose();
            throw;
        }
    }

    private static CardNumberLocation NumberLocation(HardwareOptions hardware)
    {
        if (hardware.CardNumberBlock is null && hardware.CardNumberPage is null)
        {
            return CardNumberLocation.None;
        }

        byte[] key = [];
        if (hardware.CardNumberBlock is not null)
        {
            if (hardware.CardNumberKey is not { Length: 12 } hex || !hex.All(char.IsAsciiHexDigit))
            {
                throw new InvalidOperationException("Hardware:CardNumberKey must be the sector's key A as 12 hex digits when Hardware:CardNumberBlock is set.");
            }

            key = Convert.FromHexString(hex);
        }

        return new CardNumberLocation(hardware.CardNumberBlock, MifareKeyType.A, key, hardware.CardNumberPage);
    }
}
