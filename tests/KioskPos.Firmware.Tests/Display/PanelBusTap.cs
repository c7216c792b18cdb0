using System.Device.Gpio;
using System.Device.Spi;
using KioskPos.Hardware.Simulators.Gpio;

namespace KioskPos.Firmware.Tests.Display;

/// <summary>
/// Between the driver and the emulated controller: passes every write on and keeps it, with the level of D/C at the
/// time and the driver's waits in between, so a test reads the bus as a logic analyser would.
/// </summary>
internal sealed class PanelBusTap(SpiDevice inner, SimulatedGpioDriver chip, int dataCommandPin) : SpiDevice
{
    private readonly List<Event> _events = [];

    public override SpiConnectionSettings ConnectionSettings => inner.ConnectionSettings;

    /// <summary>The driver waited <paramref name="delay"/> (its <c>wait</c> callback).</summary>
    public void Waited(TimeSpan delay) => _events.Add(new Event(null, [], delay));

    /// <summary>
    /// The bus as one line per command: "CF 00 C1 30" (the command byte then its parameters, hex), and "wait 150 ms"
    /// where the driver waited. Pixel data after RAMWR stays on its line, shortened to its byte count.
    /// </summary>
    public IReadOnlyList<string> Lines()
    {
        var lines = new List<string>();
        List<byte>? current = null;
        void Flush()
        {
            if (current is not null)
            {
                lines.Add(current[0] == 0x2C && current.Count > 1 ? $"2C +{current.Count - 1} bytes" : string.Join(' ', current.Select(b => b.ToString("X2"))));
                current = null;
            }
        }

        foreach (var e in _events)
        {
            if (e.Data is null)
            {
                Flush();
                lines.Add($"wait {e.Delay.TotalMilliseconds:0} ms");
            }
            else if (!e.Data.Value)
            {
                foreach (var b in e.Bytes)
                {
                    Flush();
                    current = [b];
                }
            }
            else if (current is not null)
            {
                current.AddRange(e.Bytes);
            }
        }

        Flush();
        return lines;
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _events.Add(new Event(chip.LevelOf(dataCommandPin) == PinValue.High, buffer.ToArray(), TimeSpan.Zero));
        inner.Write(buffer);
    }

    public override void WriteByte(byte value) => Write([value]);

    public override void TransferFullDuplex(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        _events.Add(new Event(chip.LevelOf(dataCommandPin) == PinValue.High, writeBuffer.ToArray(), TimeSpan.Zero));
        inner.TransferFullDuplex(writeBuffer, readBuffer);
    }

    public override void Read(Span<byte> buffer) => inner.Read(buffer);

    public override byte ReadByte() => inner.ReadByte();

    private sealed record Event(bool? Data, byte[] Bytes, TimeSpan Delay);
}
