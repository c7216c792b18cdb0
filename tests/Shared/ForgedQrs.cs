using System.Globalization;
using KioskPos.Core.VietQr;

namespace KioskPos.Tests.Shared;

/// <summary>VietQR payloads that a parser reads but that must never be drawn: a second merchant template, whitespace, a lower-case CRC.</summary>
internal static class ForgedQrs
{
    /// <summary>A real payOS answer, as published in a public repository (BIDV 970418, virtual account V3CAS8854359196, 5.000 đ).</summary>
    public const string PayosAnswer = "00020101021238590010A000000727012900069704180115V3CAS88543591960208QRIBFTTA5303704540450005802VN62260822CSM1W5K8S37 Thanh Toan6304D35C";

    /// <summary>Template 26 of another network (VNPAY's GUID) beside NAPAS's 38: the payer's app may choose it.</summary>
    public const string OtherNetworkTemplate = "0010A00000077501100123456789";

    /// <summary>A second NAPAS template (27) to a stranger's Vietcombank account.</summary>
    public const string SecondNapasTemplate = "0010A00000072701270006970436011300110001234560208QRIBFTTA";

    /// <summary><paramref name="payload"/> with one more top-level field, in ascending id order, and a correct CRC.</summary>
    public static string WithField(string payload, string id, string value)
    {
        var body = payload[..^8];
        var at = 0;
        while (at < body.Length && string.CompareOrdinal(body.Substring(at, 2), id) < 0)
        {
            at += 4 + int.Parse(body.Substring(at + 2, 2), CultureInfo.InvariantCulture);
        }

        var text = body[..at] + id + value.Length.ToString("D2", CultureInfo.InvariantCulture) + value + body[at..] + "6304";
        return text + Crc16Ccitt.ComputeHex(text);
    }

    /// <summary><paramref name="payload"/> with template 26 and with template 27 added, each with a correct CRC.</summary>
    public static IEnumerable<string> SecondMerchants(string payload) =>
        [WithField(payload, "26", OtherNetworkTemplate), WithField(payload, "27", SecondNapasTemplate)];
}
