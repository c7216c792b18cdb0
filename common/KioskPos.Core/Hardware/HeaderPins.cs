namespace KioskPos.Core.Hardware;

/// <summary>
/// The GPIOs a hardware profile gives its devices on a Raspberry Pi's 40-pin header (BCM numbering): each one of the
/// header's GPIOs (0-27), none of SPI0's (7-11) once a device on SPI0 takes the bus, none given twice. The terminal
/// checks its profile with it at start, the province a profile before pushing it: every pin the profile wires (its
/// card readers', <see cref="CardReaderSetting.Pins"/>; its display's, <see cref="DisplaySetting.Pins"/>; the light's,
/// buzzer's and help button's), given out in that order.
/// </summary>
public sealed class HeaderPins
{
    /// <summary>The highest GPIO on the header (BCM numbering).</summary>
    public const int Highest = 27;

    private readonly Dictionary<int, string> _uses = [];

    /// <summary>True once a device on SPI0 (an MFRC522, a panel on <c>/dev/spidev0.*</c>) takes GPIO 7-11.</summary>
    public bool Spi0InUse { get; set; }

    /// <summary>How many pins are given.</summary>
    public int Count => _uses.Count;

    /// <summary>Gives <paramref name="pin"/> to <paramref name="use"/>; why it cannot be, or null.</summary>
    public string? Take(int pin, string use)
    {
        if (pin is < 0 or > Highest)
        {
            return $"GPIO {pin} ({use}) is not a header GPIO (0-{Highest}).";
        }

        if (Spi0InUse && pin is >= 7 and <= 11)
        {
            return $"GPIO {pin} ({use}) belongs to SPI0 (GPIO 7-11), which the card reader or the panel uses.";
        }

        return _uses.TryAdd(pin, use) ? null : $"GPIO {pin} is used twice: {_uses[pin]} and {use}.";
    }
}
