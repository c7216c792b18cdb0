using KioskPos.Firmware.Printing;

namespace KioskPos.Fuzz.Targets;

/// <summary>
/// A printer's answers to <c>DLE EOT 1..4</c> (<see cref="PrinterStatus.Decode"/>), four bytes at a time: a byte that
/// is not a status answer is a <see cref="PrinterStatusException"/>, nothing else; a decoded state has a code and words.
/// </summary>
internal sealed class PrinterStatusTarget : IFuzzTarget
{
    private static readonly HashSet<string> s_codes = ["ready", "paper_out", "cover_open", "cutter_error", "error", "head_hot", "offline"];

    public string Name => "printer-status";

    public string Parser => "PrinterStatus.Decode, IsStatusByte, Code and Describe (the driver's DLE EOT answers)";

    public void Run(ReadOnlySpan<byte> input)
    {
        for (var at = 0; at + 4 <= input.Length; at += 4)
        {
            var all = true;
            for (var i = 0; i < 4; i++)
            {
                all &= PrinterStatus.IsStatusByte(input[at + i]);
            }

            PrinterStatus status;
            try
            {
                status = PrinterStatus.Decode(input[at], input[at + 1], input[at + 2], input[at + 3]);
            }
            catch (PrinterStatusException)
            {
                if (all)
                {
                    throw new FuzzFinding("four status bytes refused");
                }

                continue;
            }

            if (!all)
            {
                throw new FuzzFinding("a byte that is not a status answer was decoded");
            }

            if (!s_codes.Contains(status.Code) || string.IsNullOrWhiteSpace(status.Describe()))
            {
                throw new FuzzFinding($"state {status} has code '{status.Code}' or no words");
            }
        }
    }
}
