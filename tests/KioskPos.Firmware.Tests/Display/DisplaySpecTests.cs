using KioskPos.Core.Hardware;
using KioskPos.Firmware.Devices;
using KioskPos.Firmware.Display;

namespace KioskPos.Firmware.Tests.Display;

/// <summary>The display setting and its place in the hardware profile's start-up check.</summary>
public sealed class DisplaySpecTests
{
    [Fact]
    public void The_issue_forms_are_understood()
    {
        Assert.Equal(DisplayKind.Browser, DisplaySpec.Parse(null).Kind);
        Assert.Equal(DisplayKind.Browser, DisplaySpec.Parse("browser").Kind);
        Assert.Equal(DisplayKind.Hdmi2, DisplaySpec.Parse("hdmi2").Kind);

        var st = DisplaySpec.Parse("spi:st7789:/dev/spidev0.1:dc=24:rst=25:bl=18");
        Assert.Equal((DisplayKind.Spi, PanelModel.St7789Square, "/dev/spidev0.1", 24, 25, 18), (st.Kind, st.Model, st.Path, st.DataCommandPin, st.ResetPin, st.BacklightPin));
        Assert.Equal((0, 1), st.SpiAddress);
        Assert.Equal(32_000_000, st.ClockHz);

        var ili = DisplaySpec.Parse("ili9341:/dev/spidev0.1:dc=24:rotation=90:hz=40000000");
        Assert.Equal((PanelModel.Ili9341Tall, -1, -1, PanelRotation.Deg90, 40_000_000), (ili.Model, ili.ResetPin, ili.BacklightPin, ili.Rotation, ili.ClockHz));
        Assert.Equal(PanelModel.St7789Tall, DisplaySpec.Parse("st7789:/dev/spidev0.1:dc=24:size=240x320").Model);
        Assert.True(DisplaySpec.Parse("spi:st7789:simulated:dc=24").IsSimulated);
        Assert.Equal(st, DisplaySpec.Parse(st.ToString()));
        Assert.Equal(ili, DisplaySpec.Parse(ili.ToString())); // without a reset or backlight pin too
    }

    [Theory]
    [InlineData("hdmi3", "browser, hdmi2")]
    [InlineData("spi:ssd1306:/dev/spidev0.1:dc=24", "st7789|ili9341")]
    [InlineData("spi:st7789:/dev/spidev0.1", "dc=N")]
    [InlineData("spi:st7789:/dev/spidev0.1:dc=24:rst=24", "different pins")]
    [InlineData("spi:st7789:/dev/spidev0.1:dc=30", "0-27")]
    [InlineData("spi:st7789:/dev/spidev0.1:dc=24:rotation=45", "0, 90, 180 or 270")]
    [InlineData("spi:ili9341:/dev/spidev0.1:dc=24:size=240x240", "240x240 (ST7789)")]
    [InlineData("spi:st7789:/dev/spidev0.1:dc=24:hz=100", "1000000")]
    [InlineData("spi:st7789:/dev/spidev0.1:dc=24:speed=1", "not dc, rst, bl")]
    public void A_wrong_setting_says_what_is_wrong(string text, string expected)
    {
        var e = Assert.Throws<FormatException>(() => DisplaySpec.Parse(text));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_profiles_panel_is_checked_for_its_spidev_and_its_pins()
    {
        var profile = new HardwareProfile
        {
            Name = "panel",
            CardReader = "mfrc522:/dev/spidev0.0:reset=25",
            Printer = "usb:/dev/usb/lp0",
            Display = "spi:st7789:/dev/spidev0.1:dc=24:rst=25:bl=9",
            LightPin = 24,
        };
        var problems = profile.Validate(path => path != "/dev/spidev0.1");
        Assert.Contains(problems, p => p.Contains("/dev/spidev0.1 is missing", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("GPIO 25 is used twice: reader reset and panel reset", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("GPIO 9 (panel backlight) belongs to SPI0", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("GPIO 24 is used twice: panel D/C and status light", StringComparison.Ordinal));
        Assert.Equal(4, problems.Count);
        Assert.False(profile.IsSimulated);
        Assert.True((profile with { Display = "spi:st7789:simulated:dc=24" }).IsSimulated);
    }
}
