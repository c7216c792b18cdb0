using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace KioskPos.ProvinceServer.Tests.Banking;

/// <summary>
/// A one-line Vietcombank statement in its CSV export (the bank's Vietnamese and English headings), imported through
/// the administrator's statement endpoint, and the digest the duplicate check keeps of a line's text, computed here apart
/// from the server's code: what the statement and erasure tests share.
/// </summary>
internal static class VietcombankCsv
{
    /// <summary>The statement of <paramref name="account"/> holding the one CSV row <paramref name="line"/>.</summary>
    public static byte[] Statement(string account, string line) => Encoding.UTF8.GetBytes(new StringBuilder()
        .AppendLine("SAO KÊ TÀI KHOẢN / STATEMENT OF ACCOUNT")
        .AppendLine(CultureInfo.InvariantCulture, $"Số tài khoản / Account number:,,{account}")
        .AppendLine("Ngày giao dịch,Số tham chiếu,Số tiền ghi nợ,Số tiền ghi có,Mô tả")
        .AppendLine(line)
        .ToString());

    /// <summary>Imports <paramref name="file"/> on <paramref name="connection"/> as the administrator; asserts it was taken and returns the answer.</summary>
    public static async Task<JsonElement> ImportAsync(ProvinceHost province, string connection, byte[] file)
    {
        using var content = new ByteArrayContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        using var response = await province.Admin.PostAsync(new Uri($"/api/v1/admin/bank/connections/{connection}/statement?layout=vietcombank", UriKind.Relative), content);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return body;
    }

    /// <summary>What the duplicate check compares of a line's text: SHA-256 of it without whitespace, in upper case.</summary>
    public static string TextDigest(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Concat(text.Where(c => !char.IsWhiteSpace(c))).ToUpperInvariant())));
}
