using System.Device.Gpio;
using KioskPos.Firmware.Display;
using KioskPos.Hardware.Simulators.Display;
using KioskPos.Hardware.Simulators.Gpio;

namespace KioskPos.Firmware.Tests.Display;

/// <summary>A panel module on the emulator, wired to a simulated GPIO chip as the profiles wire it (D/C 24, RST 25, BL 18).</summary>
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
        Panel = new TftPanel(Emulator, Gpio, model, Dc, Rst, Bl, rotation, wait: _ => { });
        if (initialise)
        {
            Panel.Initialise();
        }
    }

    public SimulatedGpioDriver Chip { get; }

    public GpioController Gpio { get; }

    public TftPanelEmulator Emulator { get; }

    public TftPanel Panel { get; }

    public void Dispose()
    {
        Panel.Dispose();
        Gpio.Dispose();
    }
}
