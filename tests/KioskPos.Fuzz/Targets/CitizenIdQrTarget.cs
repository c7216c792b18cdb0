using System.Text;
using KioskPos.Core.Identity;
using KioskPos.Core.Text;

namespace KioskPos.Fuzz.Targets;

/// <summary>
/// The text a 2D scanner types from a citizen-ID card's QR (<see cref="CitizenIdQr.TryReadNumber"/>): a number read is
/// always a valid 12-digit one, and a refusal always has a message in the catalogue to show the patient.
/// </summary>
internal sealed class CitizenIdQrTarget : IFuzzTarget
{
    public string Name => "cccd-qr";

    public string Parser => "CitizenIdQr.TryReadNumber, then CitizenIdNumber.IsValid and the refusal's catalogue message";

    public void Run(ReadOnlySpan<byte> input)
    {
        var text = Encoding.UTF8.GetString(input);
        if (CitizenIdQr.TryReadNumber(text, out var number, out var problem))
        {
            if (!CitizenIdNumber.IsValid(number))
            {
                throw new FuzzFinding($"a scan read as the number '{number}', which is not 12 digits");
            }

            return;
        }

        if (!Messages.All.ContainsKey(CitizenIdQr.MessageKey(problem)))
        {
            throw new FuzzFinding($"a refusal ({problem}) whose message is not in the catalogue");
        }
    }
}
