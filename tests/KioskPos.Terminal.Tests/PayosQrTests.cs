using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using KioskPos.Core.VietQr;
using KioskPos.ProvinceServer.Banking;
using KioskPos.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// Issue 19, payOS on real parts: the terminal, the province server and payOS's API simulated on loopback. With the
/// province online and the school's connection payOS, a VietQR payment shows payOS's QR (the kiosk's answer, its SVG
/// and the customer display), and payOS's webhook for that request completes the payment on the terminal; with payOS
/// failing, or the province gone, the terminal's own QR is shown as before; once the connection is removed, the next
/// pull tells the terminal so and it stops asking (no round trip for a QR that cannot come).
/// </summary>
public sealed class PayosQrTests : IAsyncLifetime
{
    private const string ChecksumKey = "payos-terminal-checksum-0123456789";
    private const string ClientId = "sim-payos-client-0123";
    private ProviderApiSimulator _payos = null!;
    private ProvinceHost _province = null!;
    private TerminalHost _terminal = null!;

    // Every path the terminal's HTTP clients asked the province for, as they left the terminal.
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _asked = new();

    public async Task InitializeAsync()
    {
        _payos = await ProviderApiSimulator.StartAsync("sim-api-key-0123456789", new PayosAccount(ClientId, ChecksumKey, "970436", ProvinceHost.SchoolAccount, "TRUONG THCS NGUYEN DU"));
        _province = await ProvinceHost.StartAsync();
        using (var put = await _province.Admin.PutAsJsonAsync("/api/v1/admin/bank/connections/payos-1", new
        {
            provider = "payos", institutionId = "TG-THCS-NGUYENDU", accountNumber = ProvinceHost.SchoolAccount, secret = ChecksumKey,
            apiKey = _payos.ApiKey, clientId = ClientId, apiBaseUrl = new Uri(_payos.BaseUrl, "/payos").ToString(),
        }))
        {
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        }

        _terminal = await TerminalHost.StartAsync(_province, configureFirst: services => services.ConfigureAll<Microsoft.Extensions.Http.HttpClientFactoryOptions>(
            o => o.HttpMessageHandlerBuilderActions.Add(b => b.AdditionalHandlers.Add(new Counting(_asked)))));
        await Wait.UntilAsync(async () => (await _terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/status")).GetProperty("provinceOnline").GetBoolean(),
            TimeSpan.FromSeconds(20), "the confirmations long poll to connect");
    }

    public async Task DisposeAsync()
    {
        await _terminal.DisposeAsync();
        await _province.DisposeAsync();
        await _payos.DisposeAsync();
    }

    [Fact]
    public async Task Online_with_payos_the_terminal_shows_payos_qr_and_payos_webhook_for_it_completes_the_payment()
    {
        var view = await CreateQrAsync("HS240005", "HP-2611-HS240005", "BT-2611-HS240005");
        var qr = view.GetProperty("qr");
        var request = Assert.Single(_payos.PayosRequests);
        var code = qr.GetProperty("transferCode").GetString()!;
        Assert.Equal((code, 750_000L), (request.Description, request.Amount));
        Assert.Equal(("payos", request.QrCode), (qr.GetProperty("provider").GetString(), qr.GetProperty("payload").GetString()));
        Assert.StartsWith(_payos.BaseUrl.ToString(), qr.GetProperty("checkoutUrl").GetString(), StringComparison.Ordinal);

        // The same QR on every surface: the kiosk's SVG, the customer display, a later read of the payment.
        var id = view.GetProperty("id").GetString()!;
        Assert.Equal(QrImages.Svg(request.QrCode), await _terminal.Http.GetStringAsync(qr.GetProperty("svgUrl").GetString()));
        var display = await _terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/display");
        Assert.Equal(("awaiting", request.QrCode), (display.GetProperty("state").GetString(), display.GetProperty("qrPayload").GetString()));
        Assert.Equal(request.QrCode, (await _terminal.PaymentAsync(id)).GetProperty("qr").GetProperty("payload").GetString());

        // The payer pays through payOS; its webhook (the bank text in payOS's words) completes the payment on the terminal.
        await Wait.UntilDrainedAsync(_terminal.Http, TimeSpan.FromSeconds(20));
        using (var http = new HttpClient())
        using (var posted = await http.PostAsync(new Uri(_province.BaseUrl, "/api/v1/bank/payos/payos-1"),
            new StringContent(_payos.PayPayos(request.OrderCode, text: "CSU3X2LYN23 chuyen tien"), Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        }

        await Wait.UntilAsync(async () => (await _terminal.PaymentAsync(id)).GetProperty("state").GetString() == "completed", TimeSpan.FromSeconds(20), "the payment to complete");
        Assert.Equal(750_000, (await _terminal.PaymentAsync(id)).GetProperty("received").GetInt64());
    }

    [Fact]
    public async Task With_payos_failing_or_the_province_gone_the_terminal_shows_its_own_qr()
    {
        _payos.PayosFailing = true;
        var failing = await CreateQrAsync("HS240006", "HP-2611-HS240006");
        AssertOwnQr(failing);
        Assert.Equal(1, _payos.Calls["payos-create"]); // asked, refused

        _payos.PayosFailing = false;
        await _province.StopAsync();
        await Wait.UntilAsync(async () => !(await _terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/status")).GetProperty("provinceOnline").GetBoolean(),
            TimeSpan.FromSeconds(60), "the terminal to see the province gone");
        var offline = await CreateQrAsync("HS240007", "HP-2611-HS240007");
        AssertOwnQr(offline);
        Assert.True(offline.GetProperty("provisionalSlipPrinted").GetBoolean());
        Assert.Empty(_payos.PayosRequests);
    }

    [Fact]
    public async Task Once_the_institution_has_no_payment_service_the_next_pull_stops_the_terminal_asking()
    {
        var (withPayos, asked) = await CreateAndCountAsync("HS240006", "HP-2611-HS240006");
        Assert.Equal((1, "payos"), (asked, withPayos.GetProperty("qr").GetProperty("provider").GetString()));

        using (var deleted = await _province.Admin.DeleteAsync("/api/v1/admin/bank/connections/payos-1"))
        {
            Assert.True(deleted.IsSuccessStatusCode, await deleted.Content.ReadAsStringAsync());
        }

        var settings = _terminal.App.Services.GetRequiredService<KioskPos.Storage.SettingsStore>();
        await Wait.UntilAsync(async () =>
        {
            _terminal.App.Services.GetRequiredService<KioskPos.Sync.SyncSignal>().Request();
            return await settings.GetAsync(KioskPos.Storage.CatalogueStore.PaymentServiceKey) is null;
        }, TimeSpan.FromSeconds(20), "a pull to say the school has no payment service now");

        var (view, count) = await CreateAndCountAsync("HS240007", "HP-2611-HS240007");
        AssertOwnQr(view);
        Assert.Equal(0, count);
    }

    // A VietQR payment and how many payment requests the terminal sent the province for it.
    private async Task<(JsonElement View, int Asked)> CreateAndCountAsync(string payer, params string[] bills)
    {
        var before = _asked.Count(p => p == KioskPos.Shared.Contracts.SyncProtocol.PaymentRequestsPath);
        var view = await CreateQrAsync(payer, bills);
        return (view, _asked.Count(p => p == KioskPos.Shared.Contracts.SyncProtocol.PaymentRequestsPath) - before);
    }

    private sealed class Counting(System.Collections.Concurrent.ConcurrentQueue<string> asked) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            asked.Enqueue(request.RequestUri!.AbsolutePath);
            return base.SendAsync(request, cancellationToken);
        }
    }

    private static void AssertOwnQr(JsonElement view)
    {
        var qr = view.GetProperty("qr");
        Assert.True(!qr.TryGetProperty("provider", out var provider) || provider.ValueKind == JsonValueKind.Null, qr.ToString());
        var payload = VietQrParser.Parse(qr.GetProperty("payload").GetString()!);
        Assert.Equal((ProvinceHost.SchoolAccount, qr.GetProperty("transferCode").GetString()), (payload.AccountNumber, payload.Purpose));
    }

    private async Task<JsonElement> CreateQrAsync(string payer, params string[] bills)
    {
        using var response = await _terminal.Http.PostAsJsonAsync("/api/v1/payments", new { payerCode = payer, method = "vietqr", bills = bills.Select(b => new { billId = b }).ToArray() });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToString());
        return body;
    }
}
