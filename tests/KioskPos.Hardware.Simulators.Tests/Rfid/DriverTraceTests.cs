using System.Globalization;
using KioskPos.Hardware.Simulators.Rfid;

namespace KioskPos.Hardware.Simulators.Tests.Rfid;

/// <summary>
/// A third-party driver's register accesses, transcribed from its source into <c>Readers/Traces/*.trace</c> (the
/// file's header names the repository and file), replayed transfer by transfer against the chip emulator: every
/// read must give the datasheet's answer.
/// </summary>
public class DriverTraceTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_python_mfrc522_driver_reads_a_classic_block_with_the_datasheet_answers(bool sharedBuffer)
    {
        var chip = new Mfrc522Emulator();
        chip.Place(new MifareClassicCard([0x12, 0x34, 0x56, 0x78]).WriteBlock(8, "KioskPos trace!!"u8));

        var steps = Replay(chip, Path.Combine(AppContext.BaseDirectory, "Traces", "pimylifeup-mfrc522-python.trace"), sharedBuffer);
        Assert.True(steps > 150, $"the trace has {steps} transfers");
    }

    /// <summary>Runs every line of the trace; throws at the first answer that differs, naming its line.</summary>
    private static int Replay(Mfrc522Emulator chip, string path, bool sharedBuffer)
    {
        var lastRead = new Dictionary<int, byte>();
        var transfers = 0;
        var lineNumber = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            var line = raw.Split(';')[0].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var register = Hex(parts[1]);
            transfers++;
            if (parts[0] == "R")
            {
                var expected = Hex(parts[2]);
                var mask = parts.Length > 3 ? Hex(parts[3]) : 0xFF;
                var answer = Transfer(chip, [(byte)(((register << 1) & 0x7E) | 0x80), 0x00], sharedBuffer)[1];
                lastRead[register] = answer;
                Assert.True((answer & mask) == (expected & mask), $"line {lineNumber} ({raw.Trim()}): the chip answered {answer:X2}h");
            }
            else
            {
                var value = parts[2] switch
                {
                    ['r', '|', .. var operand] => (byte)(lastRead[register] | Hex(operand)),
                    ['r', '&', .. var operand] => (byte)(lastRead[register] & Hex(operand)),
                    var literal => Hex(literal),
                };
                Transfer(chip, [(byte)((register << 1) & 0x7E), value], sharedBuffer);
            }
        }

        return transfers;
    }

    private static byte[] Transfer(Mfrc522Emulator chip, byte[] tx, bool sharedBuffer)
    {
        if (sharedBuffer)
        {
            chip.TransferFullDuplex(tx, tx);
            return tx;
        }

        var rx = new byte[tx.Length];
        chip.TransferFullDuplex(tx, rx);
        return rx;
    }

    private static byte Hex(string text) => byte.Parse(text, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
