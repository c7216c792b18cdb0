using System.Text;
using KioskPos.Core.VietQr;

namespace KioskPos.Fuzz.Targets;

/// <summary>
/// A VietQR payload as a scanner or a pasted text hands it over (<see cref="VietQrParser"/>): never an exception, and a
/// payload accepted is one the builder can write again and the parser read back to the same fields.
/// </summary>
internal sealed class VietQrTarget : IFuzzTarget
{
    public string Name => "vietqr";

    public string Parser => "VietQrParser.TryParse, then VietQrBuilder.Build and TryParse again";

    public void Run(ReadOnlySpan<byte> input)
    {
        var text = Encoding.UTF8.GetString(input);
        if (!VietQrParser.TryParse(text, out var payload, out var error))
        {
            if (error is null || string.IsNullOrEmpty(error.Field))
            {
                throw new FuzzFinding("a refusal without the field it concerns");
            }

            return;
        }

        string again;
        try
        {
            again = VietQrBuilder.Build(payload);
        }
        catch (VietQrFormatException e)
        {
            throw new FuzzFinding($"accepted, but the builder refuses it: {e.Error}");
        }

        if (!VietQrParser.TryParse(again, out var reread, out var rereadError))
        {
            throw new FuzzFinding($"accepted and rebuilt, but the rebuilt payload is refused: {rereadError}");
        }

        if (reread != payload)
        {
            throw new FuzzFinding($"rebuilt payload reads differently: {payload} became {reread}");
        }
    }
}
