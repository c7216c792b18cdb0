using System.Device.Gpio;
using KioskPos.Firmware.Display;
using KioskPos.Hardware.Simulators.Display;
using KioskPos.Hardware.Simulators.Gpio;

namespace KioskPos.Firmware.Tests.Display;

/// <summary>A panel module on the emulator, wired to a simulated GPIO chip as the profiles wire it (D/C 24, RST 25, BL 18), with a tap on the bus.</summary>
internal sealed class PanelBench : IDisposable
{
    public const int Dc = 24;
    public const int Rst = 25;
    public const int Bl = 18;

    public PanelBench(PanelModel model, PanelRotation rotation = PanelRotation.Deg0, bool initialise = true)
    {
        Chip = new SimulatedGpioDriver();
        Gpio = new GpioController(Chip);
        Emulator = new TftPanelEmulator(model, Chip, Dc, Rst, Bl);
        Bus = new PanelBusTap(Emulator, Chip, Dc);
        Panel = new TftPanel(Bus, Gpio, model, Dc, Rst, Bl, rotation, wait: Bus.Waited);
        if (initialise)
        {
            Panel.Initialise();
        }
    }

    public SimulatedGpioDriver Chip { get; }

    public GpioController Gpio { get; }

    public TftPanelEmulator Emulator { get; }

    /// <summary>The bus between the driver and the emulator, as written, with the driver's waits.</summary>
    public PanelBusTap Bus { get; }

    public TftPanel Panel { get; }

    public void Dispose()
    {
        Panel.Dispose();
        Gpio.Dispose();
    }
}
