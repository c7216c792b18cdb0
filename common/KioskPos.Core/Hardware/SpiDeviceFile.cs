using System.Globalization;

namespace KioskPos.Core.Hardware;

/// <summary>The SPI bus and chip select a <c>/dev/spidevB.C</c> file names (an MFRC522 reader's, a display panel's).</summary>
public static class SpiDeviceFile
{
    /// <summary>Bus B and chip select C of <paramref name="path"/>, <c>/dev/spidevB.C</c>.</summary>
    /// <exception cref="FormatException">The path is not a spidev file.</exception>
    public static (int Bus, int ChipSelect) Address(string path)
    {
        var name = Path.GetFileName(path);
        var parts = name.StartsWith("spidev", StringComparison.Ordinal) ? name[6..].Split('.') : [];
        return parts.Length == 2 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var bus) && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var cs)
            ? (bus, cs)
            : throw new FormatException($"'{path}' is not a SPI device file like /dev/spidev0.0.");
    }
}
