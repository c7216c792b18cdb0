using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KioskPos.Core.VietQr;
using KioskPos.Tests.Shared;

namespace KioskPos.ProvinceServer.Tests.Banking;

/// <summary>
/// Issue 19, the providers' simulated APIs in <c>make run</c>: <c>kioskpos-province provider-sim</c> started as its
/// own process (as scripts/run.sh starts it) serves payOS's payment requests, checking the signature with the checksum
/// key from its environment, and SePay's and Casso's lists behind the API key; the province's payOS client creates a
/// terminal's request on it, so the terminal gets payOS's QR. Stopped with SIGTERM, it exits 0.
/// </summary>
public sealed class ProviderSimProcessTests
{
    private const string ClientId = "sim-payos-client-0123";
    private const string ApiKey = "sim-api-key-0123456789";

    [Fact]
    public async Task The_provider_sim_process_answers_a_signed_payos_request_refuses_a_wrongly_signed_one_and_serves_the_provinces_payos_client()
    {
        var port = LoopbackPort.Next();
        var url = new Uri($"http://127.0.0.1:{port}");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        var process = Processes.StartWith(
            new Dictionary<string, string> { ["KIOSKPOS_PROVIDER_API_KEY"] = ApiKey, ["KIOSKPOS_PAYOS_CHECKSUM_KEY"] = ProviderSenders.PayosChecksum },
            "province-server/KioskPos.ProvinceServer", "kioskpos-province.dll",
            "provider-sim", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--payos-client-id", ClientId,
            "--payos-account", ProvinceHost.SchoolAccount, "--payos-account-name", "TRUONG THCS NGUYEN DU");
        try
        {
            await Processes.WaitHealthyAsync(http, new Uri(url, "/health").ToString(), process);
            Assert.Contains($"http://127.0.0.1:{port}", Processes.Log(process), StringComparison.Ordinal);
            Assert.DoesNotContain(ApiKey, Processes.Log(process), StringComparison.Ordinal);
            Assert.DoesNotContain(ProviderSenders.PayosChecksum, Processes.Log(process), StringComparison.Ordinal);

            // Signed with the checksum key as payOS's client libraries sign: accepted, a VietQR for the account.
            var signed = await CreateAsync(http, url, 424_242, 95_000, "CSABC123", ProviderSenders.PayosChecksum, ApiKey);
            Assert.Equal("00", signed.GetProperty("code").GetString());
            var qr = VietQrParser.Parse(signed.GetProperty("data").GetProperty("qrCode").GetString()!);
            Assert.Equal(("970436", ProvinceHost.SchoolAccount, 95_000L, "CSABC123"), (qr.BankBin, qr.AccountNumber, qr.Amount!.Value, qr.Purpose));

            // Signed with another key: payOS's code 201; a wrong API key: 401; the lists ask for the key too.
            var wrong = await CreateAsync(http, url, 424_243, 95_000, "CSABC124", "not-the-checksum-key", ApiKey);
            Assert.Equal("201", wrong.GetProperty("code").GetString());
            var unauthorised = await CreateAsync(http, url, 424_244, 95_000, "CSABC125", ProviderSenders.PayosChecksum, "wrong-api-key");
            Assert.Equal("401", unauthorised.GetProperty("code").GetString());
            using (var list = await http.GetAsync(new Uri(url, "/sepay/userapi/transactions/list")))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
            }

            using (var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url, "/casso/v2/transactions?fromDate=2026-01-01")))
            {
                request.Headers.TryAddWithoutValidation("Authorization", "Apikey " + ApiKey);
                using var list = await http.SendAsync(request);
                Assert.Equal(0, (await list.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetInt32());
            }

            // The province's payOS client, configured as make run configures demo-payos, gets payOS's QR for a terminal.
            await using var province = await ProvinceHost.StartAsync(settings: ["--Province:BankPull:IntervalSeconds=0"]);
            using (var put = await province.Admin.PutAsJsonAsync("/api/v1/admin/bank/connections/demo-payos", new
            {
                provider = "payos", institutionId = "TG-THCS-NGUYENDU", accountNumber = ProvinceHost.SchoolAccount, secret = ProviderSenders.PayosChecksum,
                apiKey = ApiKey, clientId = ClientId, apiBaseUrl = new Uri(url, "/payos").ToString(),
            }))
            {
                Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
            }

            using var terminal = await province.SignedClientAsync();
            var (payment, code) = await PayosRequestTests.CreatePaymentAsync(province, "KP-THCS-ND-01", 180_000);
            var answer = await PayosRequestTests.RequestAsync(terminal, payment, code, 180_000);
            Assert.Equal(HttpStatusCode.OK, answer.Status);
            Assert.Equal("payos", answer.Body.GetProperty("provider").GetString());
            var payosQr = VietQrParser.Parse(answer.Body.GetProperty("qrCode").GetString()!);
            Assert.Equal((ProvinceHost.SchoolAccount, 180_000L, code.Value), (payosQr.AccountNumber, payosQr.Amount!.Value, payosQr.Purpose));
            Assert.StartsWith(url.ToString(), answer.Body.GetProperty("checkoutUrl").GetString(), StringComparison.Ordinal);

            // payOS holds that request under the order code the province keeps.
            var orderCode = Convert.ToInt64(await province.ScalarAsync("SELECT order_code FROM payos_requests WHERE payment_id = $p", ("$p", payment)), System.Globalization.CultureInfo.InvariantCulture);
            using (var status = new HttpRequestMessage(HttpMethod.Get, new Uri(url, $"/payos/v2/payment-requests/{orderCode}")))
            {
                status.Headers.Add("x-client-id", ClientId);
                status.Headers.Add("x-api-key", ApiKey);
                using var response = await http.SendAsync(status);
                var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Equal(("00", "PENDING", 180_000L), (body.GetProperty("code").GetString(), body.GetProperty("data").GetProperty("status").GetString(), body.GetProperty("data").GetProperty("amount").GetInt64()));
            }

            Assert.Equal(0, await Processes.StopAsync(process));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            process.Dispose();
        }
    }

    [Fact]
    public async Task Without_its_api_key_the_provider_sim_refuses_to_start_in_both_languages()
    {
        var process = Processes.StartWith(new Dictionary<string, string> { ["KIOSKPOS_PROVIDER_API_KEY"] = string.Empty },
            "province-server/KioskPos.ProvinceServer", "kioskpos-province.dll", "provider-sim", "--port", "0");
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
            Assert.Equal(2, process.ExitCode);
            Assert.Contains("Thiếu khoá API của trình giả lập / set KIOSKPOS_PROVIDER_API_KEY", Processes.Log(process), StringComparison.Ordinal);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            process.Dispose();
        }
    }

    private static async Task<JsonElement> CreateAsync(HttpClient http, Uri url, long orderCode, long amount, string description, string checksumKey, string apiKey)
    {
        const string returnUrl = "http://127.0.0.1/paid";
        const string cancelUrl = "http://127.0.0.1/cancelled";
        var data = $"amount={amount}&cancelUrl={cancelUrl}&description={description}&orderCode={orderCode}&returnUrl={returnUrl}";
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(checksumKey), Encoding.UTF8.GetBytes(data)));
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(url, "/payos/v2/payment-requests"))
        {
            Content = JsonContent.Create(new { orderCode, amount, description, returnUrl, cancelUrl, signature }),
        };
        request.Headers.Add("x-client-id", ClientId);
        request.Headers.Add("x-api-key", apiKey);
        using var response = await http.SendAsync(request);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
