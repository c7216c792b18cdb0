using System.Device.Gpio;
using System.Device.Gpio.Drivers;
using System.Runtime.InteropServices;

namespace KioskPos.Firmware.Devices;

/// <summary>
/// The board's GPIO through the kernel's GPIO character device (<c>/dev/gpiochipN</c>, by libgpiod). Never
/// <c>new GpioController()</c>: on a Pi 3, 4 or Zero 2 W System.Device.Gpio then picks its register driver, which maps
/// <c>/dev/gpiomem</c>, and the package's udev rule (firmware/os/60-kioskpos.rules) gives the terminal's user the
/// gpiochip devices only, so the first pin opened fails with "Error 13 initializing the Gpio driver".
/// </summary>
public static class BoardGpio
{
    /// <summary>The header's GPIO on a Pi (<c>/dev/gpiochip0</c>; BCM numbers are its line offsets).</summary>
    public const int HeaderChip = 0;

    /// <summary>
    /// A controller on <c>/dev/gpiochip<paramref name="chip"/></c>: through libgpiod 1.x (Debian 12's
    /// <c>libgpiod2</c>, libgpiod.so.2) when it is installed, else libgpiod 2.x (Debian 13's <c>libgpiod3</c>,
    /// libgpiod.so.3). The caller disposes it.
    /// </summary>
    /// <exception cref="IOException">Neither library is installed, or the chip cannot be opened (missing, no access).</exception>
    public static GpioController Open(int chip = HeaderChip)
    {
        var path = $"/dev/gpiochip{chip}";
        try
        {
            if (Loads("libgpiod.so.2") || Loads("libgpiod.so.1"))
            {
                return new GpioController(new LibGpiodDriver(chip));
            }

            if (Loads("libgpiod.so.3"))
            {
                return new GpioController(new LibGpiodV2Driver(chip));
            }
        }
        catch (Exception e) when (e is PlatformNotSupportedException or DllNotFoundException or TypeInitializationException or UnauthorizedAccessException)
        {
            throw new IOException($"{path}: {e.Message}", e);
        }

        throw new IOException($"{path}: libgpiod is not installed (apt install libgpiod2, or libgpiod3 on Debian 13).");
    }

    private static bool Loads(string library)
    {
        if (!NativeLibrary.TryLoad(library, out var handle))
        {
            return false;
        }

        NativeLibrary.Free(handle);
        return true;
    }
}
