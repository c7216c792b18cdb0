using System.Text;
using KioskPos.Core.Money;
using KioskPos.Core.Text;
using KioskPos.Core.VietQr;
using KioskPos.Firmware.Printing;
using KioskPos.Firmware.Imaging;

namespace KioskPos.Firmware.Display;

/// <summary>What the customer panel shows (the terminal maps its customer display to this).</summary>
/// <param name="State"><c>idle</c>, <c>awaiting</c>, <c>confirmed</c>, <c>underpaid</c>, <c>cancelled</c>, <c>expired</c> or <c>test</c>.</param>
/// <param name="Institution">The institution's name (idle).</param>
/// <param name="Amount">What to transfer, or what was received, in đồng.</param>
/// <param name="QrPayload">The VietQR payload (awaiting).</param>
/// <param name="AccountName">The receiving account's holder (awaiting).</param>
/// <param name="ExpiresAt">When the QR expires (the countdown).</param>
/// <param name="Remaining">Still due (underpaid).</param>
public sealed record PanelContent(string State, string? Institution = null, long? Amount = null, string? QrPayload = null,
    string? AccountName = null, DateTimeOffset? ExpiresAt = null, long? Remaining = null);

/// <summary>Where the payment screen puts each part, in the picture's pixels (tests read these regions back).</summary>
/// <param name="Amount">The amount in big digits.</param>
/// <param name="Qr">The QR, quiet zone included.</param>
/// <param name="Holder">The account holder's line.</param>
/// <param name="Countdown">The countdown line (the only part that changes each second).</param>
public sealed record PaymentLayout(PanelRect Amount, PanelRect Qr, PanelRect Holder, PanelRect Countdown);

/// <summary>
/// Draws the customer panel's screens with the project's rasterizer (<see cref="Picture"/>) in its faces (<see cref="ReceiptFonts"/>: Noto Sans,
/// with every Vietnamese letter): idle (institution, methods taken), payment (amount in big digits, the QR placed
/// module for module, never resampled, the account holder, the countdown), paid, underpaid, cancelled, expired, and
/// the self-test's test pattern. The same content, size and time always give the same pixels, so only what changed
/// is sent to the panel.
/// </summary>
public sealed class PanelScreens(ReceiptFonts fonts)
{
    private static readonly Rgb s_ink = new(0x10, 0x20, 0x30);
    private static readonly Rgb s_muted = new(0x50, 0x5A, 0x66);
    private static readonly Rgb s_good = new(0x0A, 0x7D, 0x32);
    private static readonly Rgb s_bad = new(0xB0, 0x1E, 0x1E);
    private static readonly Rgb s_brand = new(0x0B, 0x4F, 0x9C);

    /// <summary>The payment screen's regions at <paramref name="width"/> × <paramref name="height"/> for <paramref name="qrPayload"/>.</summary>
    public static PaymentLayout LayoutPayment(int width, int height, string qrPayload)
    {
        var modules = QrModules(qrPayload).Width;
        var quiet = 2; // modules of white kept round the symbol inside its region; the white screen continues it
        if (width > height)
        {
            // Landscape: the QR on the left, full height; the text on the right.
            var scale = Math.Max(1, (height - 4) / (modules + (2 * quiet)));
            var side = scale * (modules + (2 * quiet));
            var qr = new PanelRect(2, (height - side) / 2, side, side);
            var textX = qr.X + side + 2;
            var textWidth = width - textX - 2;
            return new PaymentLayout(new PanelRect(textX, 8, textWidth, height / 4), qr,
                new PanelRect(textX, (height / 2) - 10, textWidth, 40), new PanelRect(textX, height - 34, textWidth, 28));
        }

        var amountHeight = Math.Max(30, height / 8);
        const int line = 20;
        var available = height - amountHeight - (2 * line) - 4;
        var fit = Math.Min(width - 4, available);
        var s = Math.Max(1, fit / (modules + (2 * quiet)));
        var size = s * (modules + (2 * quiet));
        var top = amountHeight + ((available - size) / 2);
        return new PaymentLayout(new PanelRect(0, 0, width, amountHeight), new PanelRect((width - size) / 2, top, size, size),
            new PanelRect(0, height - (2 * line) - 2, width, line), new PanelRect(0, height - line - 1, width, line));
    }

    /// <summary>Draws <paramref name="content"/> at <paramref name="now"/> (for the countdown).</summary>
    public RgbPicture Render(PanelContent content, int width, int height, DateTimeOffset now)
    {
        var canvas = new RgbPicture(width, height);
        canvas.Clear(Rgb.White);
        switch (content.State)
        {
            case "awaiting" when content.QrPayload is { } payload:
                Payment(canvas, content, payload, width, height, now);
                break;
            case "confirmed":
                Outcome(canvas, width, height, s_good, "✓", Messages.Vi("display.panel.paid"), content.Amount, null);
                break;
            case "underpaid":
                Outcome(canvas, width, height, s_bad, "!", Messages.Vi("display.panel.underpaid"), content.Remaining, null);
                break;
            case "cancelled":
                Outcome(canvas, width, height, s_bad, "×", Messages.Vi("display.panel.cancelled"), content.Amount, null);
                break;
            case "expired":
                Outcome(canvas, width, height, s_bad, "×", Messages.Vi("display.panel.expired"), content.Amount, null);
                break;
            case "test":
                TestPattern(canvas, width, height);
                break;
            default:
                Idle(canvas, content, width, height);
                break;
        }

        return canvas;
    }

    /// <summary>The countdown's text: minutes and seconds left, 00:00 once expired.</summary>
    public static string Countdown(DateTimeOffset expiresAt, DateTimeOffset now)
    {
        var left = expiresAt - now;
        var seconds = left <= TimeSpan.Zero ? 0 : (int)Math.Ceiling(left.TotalSeconds);
        return $"{seconds / 60:00}:{seconds % 60:00}";
    }

    /// <summary>The QR symbol's modules, quiet zone removed (error correction M, as every QR of the terminal).</summary>
    public static MonoBitmap QrModules(string payload)
    {
        var withQuiet = QrImages.RasterOfBytes(Encoding.ASCII.GetBytes(payload), 1);
        const int quiet = 4;
        var size = withQuiet.Width - (2 * quiet);
        var stride = (size + 7) / 8;
        var rows = new byte[stride * size];
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                if (withQuiet[x + quiet, y + quiet])
                {
                    rows[(y * stride) + (x / 8)] |= (byte)(0x80 >> (x % 8));
                }
            }
        }

        return new MonoBitmap(size, size, rows);
    }

    private void Payment(RgbPicture canvas, PanelContent content, string payload, int width, int height, DateTimeOffset now)
    {
        var layout = LayoutPayment(width, height, payload);
        Fitted(canvas, Vnd.Format(content.Amount ?? 0), fonts.Bold, layout.Amount, s_brand, layout.Amount.Height * 0.8f);

        var modules = QrModules(payload);
        var scale = layout.Qr.Width / (modules.Width + 4);
        var origin = layout.Qr.X + (2 * scale);
        var originY = layout.Qr.Y + (2 * scale);
        for (var y = 0; y < modules.Height; y++)
        {
            for (var x = 0; x < modules.Width; x++)
            {
                if (modules[x, y])
                {
                    canvas.FillRect(origin + (x * scale), originY + (y * scale), scale, scale, Rgb.Black);
                }
            }
        }

        if (content.AccountName is { } holder)
        {
            Fitted(canvas, holder, fonts.Regular, layout.Holder, s_ink, 15);
        }

        if (content.ExpiresAt is { } expires)
        {
            Fitted(canvas, $"{Messages.Vi("display.panel.expires_in")} {Countdown(expires, now)}", fonts.Bold, layout.Countdown, s_muted, 16);
        }
    }

    private void Idle(RgbPicture canvas, PanelContent content, int width, int height)
    {
        canvas.FillRect(0, 0, width, height / 5f, s_brand);
        Fitted(canvas, Messages.Vi("display.panel.welcome"), fonts.Bold, new PanelRect(0, 0, width, height / 5), Rgb.White, height / 10f);
        var lines = Wrap(content.Institution ?? "KioskPos", fonts.Bold, 20, width - 16);
        var y = (height / 5) + 12;
        foreach (var line in lines.Take(4))
        {
            Fitted(canvas, line, fonts.Bold, new PanelRect(0, y, width, 26), s_ink, 20);
            y += 26;
        }

        Fitted(canvas, Messages.Vi("display.panel.methods"), fonts.Regular, new PanelRect(0, height - 48, width, 22), s_muted, 14);
        Fitted(canvas, Messages.En("display.panel.methods"), fonts.Regular, new PanelRect(0, height - 26, width, 22), s_muted, 12);
    }

    private void Outcome(RgbPicture canvas, int width, int height, Rgb colour, string mark, string title, long? amount, string? detail)
    {
        var radius = Math.Min(width, height) / 5f;
        canvas.FillCircle(width / 2f, height / 3f, radius, colour);
        if (mark == "✓" && !fonts.Bold.Has('✓'))
        {
            // Noto Sans has no check mark: drawn as a stroke of three points, the width of the circle's tenth.
            var (cx, cy, r) = (width / 2f, height / 3f, radius);
            canvas.FillPolygon(
            [
                (cx - (0.55f * r), cy - (0.05f * r)), (cx - (0.38f * r), cy - (0.22f * r)), (cx - (0.15f * r), cy + (0.02f * r)),
                (cx + (0.40f * r), cy - (0.52f * r)), (cx + (0.57f * r), cy - (0.35f * r)), (cx - (0.15f * r), cy + (0.36f * r)),
            ], Rgb.White);
        }
        else
        {
            Fitted(canvas, mark, fonts.Bold, new PanelRect(0, (int)((height / 3f) - radius), width, (int)(2 * radius)), Rgb.White, radius * 1.4f);
        }
        var y = (int)((height / 3f) + radius + 10);
        foreach (var line in Wrap(title, fonts.Bold, 20, width - 16).Take(2))
        {
            Fitted(canvas, line, fonts.Bold, new PanelRect(0, y, width, 26), colour, 20);
            y += 26;
        }

        if (amount is { } value)
        {
            Fitted(canvas, Vnd.Format(value), fonts.Bold, new PanelRect(0, y + 4, width, 36), s_ink, 30);
        }

        if (detail is not null)
        {
            Fitted(canvas, detail, fonts.Regular, new PanelRect(0, height - 24, width, 20), s_muted, 14);
        }
    }

    private void TestPattern(RgbPicture canvas, int width, int height)
    {
        Rgb[] bars = [Rgb.Red, Rgb.Lime, Rgb.Blue, Rgb.White, Rgb.Black];
        var barWidth = width / (float)bars.Length;
        for (var i = 0; i < bars.Length; i++)
        {
            canvas.FillRect(i * barWidth, 0, barWidth + 1, height * 0.7f, bars[i]);
        }

        canvas.StrokeRect(0, 0, width, height, Rgb.Black);
        Fitted(canvas, Messages.Vi("display.panel.test_pattern"), fonts.Bold, new PanelRect(0, (int)(height * 0.72f), width, 30), s_ink, 20);
        Fitted(canvas, $"{width}×{height}", fonts.Regular, new PanelRect(0, (int)(height * 0.72f) + 32, width, 24), s_muted, 16);
    }

    private static void Fitted(RgbPicture canvas, string text, FontFace face, PanelRect box, Rgb colour, float size)
    {
        text = LatinNormalization.ToFormC(text); // a glyph a character: letters with their marks composed
        var font = new Font(face, size);
        var measured = font.Measure(text);
        if (measured > box.Width - 8)
        {
            font = font with { Size = Math.Max(8, size * (box.Width - 8) / measured) };
            measured = font.Measure(text);
        }

        var metrics = font.Metrics;
        var baseline = box.Y + ((box.Height - (metrics.Descent - metrics.Ascent)) / 2f) - metrics.Ascent;
        canvas.DrawText(text, face, font.Size, box.X + ((box.Width - measured) / 2f), baseline, colour);
    }

    private static List<string> Wrap(string text, FontFace face, float size, float width)
    {
        var font = new Font(face, size);
        var lines = new List<string>();
        var current = "";
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = current.Length == 0 ? word : $"{current} {word}";
            if (font.Measure(candidate) > width && current.Length > 0)
            {
                lines.Add(current);
                current = word;
            }
            else
            {
                current = candidate;
            }
        }

        if (current.Length > 0)
        {
            lines.Add(current);
        }

        return lines;
    }
}
