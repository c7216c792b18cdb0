using System.Buffers.Binary;
using KioskPos.Firmware.Imaging;

namespace KioskPos.Fuzz.Targets;

/// <summary>
/// A damaged font file under the terminal's own TrueType reader and rasterizer (<see cref="FontFace"/>,
/// <see cref="Picture.DrawText"/>): the input is a list of patches — a 4-byte offset (big-endian, taken modulo the
/// file's length) and the byte written there — applied to Debian's Noto Sans Regular, the face receipts are printed
/// in. Opened, measured and drawn ("Học phí … ₫" and every Vietnamese letter) without anything but the reader's
/// refusal, <see cref="InvalidDataException"/>, escaping; a drawn face gives a picture of the size asked.
/// </summary>
internal sealed class TrueTypeFaceTarget : IFuzzTarget
{
    private const string Face = "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf";
    private const string Text = "Học phí tháng 9: 1.250.000 ₫ — Đặng Thị Ngọc Ánh ệ ữ ỹ ẵ";
    private static readonly byte[] s_original = File.ReadAllBytes(Face);
    private static readonly string s_file = Path.Combine(Path.GetTempPath(), $"kioskpos-fuzz-face-{Environment.ProcessId}.ttf");

    public string Name => "truetype-face";

    public string Parser => "FontFace.Open, Measure, Outline and Picture.DrawText (the receipts' TrueType reader and rasterizer)";

    public void Run(ReadOnlySpan<byte> input)
    {
        var bytes = (byte[])s_original.Clone();
        for (var at = 0; at + 5 <= input.Length && at < 5 * 256; at += 5)
        {
            var offset = BinaryPrimitives.ReadUInt32BigEndian(input[at..]) % (uint)bytes.Length;
            bytes[offset] = input[at + 4];
        }

        File.WriteAllBytes(s_file, bytes);
        try
        {
            using var face = FontFace.Open(s_file);
            var picture = new GrayPicture(480, 64);
            picture.Clear(Rgb.White);
            foreach (var size in new[] { 24f, 38.4f })
            {
                var width = face.Measure(Text, size);
                if (!float.IsFinite(width) || width < 0)
                {
                    throw new FuzzFinding($"'{Text}' measured {width} pixels");
                }

                var fit = face.Fit(Text, size, 200);
                if (fit < 0 || fit > Text.Length)
                {
                    throw new FuzzFinding($"{fit} characters fit of {Text.Length}");
                }

                picture.DrawText(Text, face, size, 2, 40, Rgb.Black);
            }

            if (picture.Pixels.Length != 480 * 64)
            {
                throw new FuzzFinding("the picture changed size");
            }
        }
        catch (InvalidDataException)
        {
            // the reader's refusal, naming the file and the reason
        }
        finally
        {
            File.Delete(s_file);
        }
    }
}
