using KioskPos.Firmware.Devices;

namespace KioskPos.Firmware.Tests.Readers;

/// <summary>The board's GPIO as the terminal opens it: the character device through libgpiod, never /dev/gpiomem.</summary>
public class BoardGpioTests
{
    [Fact]
    public void A_gpio_chip_that_cannot_be_opened_is_an_io_error_the_reader_loop_retries()
    {
        // No machine has /dev/gpiochip99, and a build machine may have no libgpiod either: both are an IOException
        // (what the tap listener and the indicators catch), whatever driver System.Device.Gpio would have picked.
        var error = Assert.ThrowsAny<IOException>(() => BoardGpio.Open(99));
        Assert.Contains("gpiochip99", error.Message, StringComparison.Ordinal);
    }
}
