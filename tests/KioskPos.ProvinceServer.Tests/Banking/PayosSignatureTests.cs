using System.Diagnostics;
using KioskPos.ProvinceServer.Banking;

namespace KioskPos.ProvinceServer.Tests.Banking;

/// <summary>
/// The payment request's signature as payOS documents it and its Node SDK computes it — the five signed fields'
/// names sorted, <c>key=value</c> joined by <c>&amp;</c>, HMAC-SHA256 with the checksum key, hex — worked out by
/// Node's own crypto (OpenSSL), not by our code, and compared with <see cref="PayosApi.SignRequest"/>.
/// </summary>
public sealed class PayosSignatureTests
{
    [Theory]
    [InlineData(2000, "https://example.invalid/cancel", "KPT1A00000017", 1_073_741_841, "https://example.invalid/return")]
    [InlineData(1_250_000, "http://127.0.0.1:5080/r?x=1&y=2", "Hoc phi thang 9", 42, "http://127.0.0.1:5080/r")]
    public async Task Our_request_signature_is_what_node_computes_from_the_documented_rule(long amount, string cancelUrl, string description, long orderCode, string returnUrl)
    {
        const string key = "1a54716c8f0efb2744fb28b6e38b25da7f67a925d98bc1c18bd8faaecadd7675";
        const string script = """
            const crypto = require('crypto');
            const [key, amount, cancelUrl, description, orderCode, returnUrl] = process.argv.slice(1);
            const data = { returnUrl, orderCode: Number(orderCode), description, cancelUrl, amount: Number(amount) };
            const signed = Object.keys(data).sort().map(k => `${k}=${data[k]}`).join('&');
            process.stdout.write(crypto.createHmac('sha256', key).update(signed).digest('hex'));
            """;
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-e", script, key, amount.ToString(System.Globalization.CultureInfo.InvariantCulture), cancelUrl, description, orderCode.ToString(System.Globalization.CultureInfo.InvariantCulture), returnUrl })
        {
            start.ArgumentList.Add(argument);
        }

        using var node = Process.Start(start)!;
        var expected = await node.StandardOutput.ReadToEndAsync();
        await node.WaitForExitAsync();
        Assert.True(node.ExitCode == 0, await node.StandardError.ReadToEndAsync());
        Assert.Equal(64, expected.Length);
        Assert.Equal(expected, PayosApi.SignRequest(key, amount, cancelUrl, description, orderCode, returnUrl));
    }
}
