using System.Text;
using KioskPos.Core.VietQr;

namespace KioskPos.Fuzz.Targets;

/// <summary>
/// The transfer text a bank sends back (<see cref="TransferCode.FindIn"/>, what matching reads in every webhook's
/// description): never an exception, and every code found is one a terminal could have issued.
/// </summary>
internal sealed class TransferTextTarget : IFuzzTarget
{
    public string Name => "transfer-text";

    public string Parser => "TransferCode.FindIn and TryParse (the transfer code in a bank's description)";

    public void Run(ReadOnlySpan<byte> input)
    {
        foreach (var code in TransferCode.FindIn(Encoding.UTF8.GetString(input)))
        {
            if (code.TerminalTag is < 0 or > TransferCode.MaxTerminalTag || code.Sequence is < 1 or > TransferCode.MaxSequence)
            {
                throw new FuzzFinding($"{code.Value} names terminal tag {code.TerminalTag}, sequence {code.Sequence}: no terminal issues that");
            }

            if (TransferCode.Create(code.TerminalTag, code.Sequence).Value != code.Value)
            {
                throw new FuzzFinding($"{code.Value} is not the code of terminal tag {code.TerminalTag}, sequence {code.Sequence}");
            }
        }
    }
}
