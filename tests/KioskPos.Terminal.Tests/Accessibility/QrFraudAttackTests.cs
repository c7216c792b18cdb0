using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Core.VietQr;
using KioskPos.Shared.Sqlite;
using KioskPos.Storage;
using KioskPos.Terminal.Services;
using KioskPos.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace KioskPos.Terminal.Tests.Accessibility;

/// <summary>
/// QR fraud on the terminal's own screen: a pending payment's QR rewritten to another account (the database changed
/// under the terminal) is drawn neither by the kiosk nor by the customer display; only the account the province signed
/// for the institution gets a QR.
/// </summary>
[Trait("Category", "Attack")]
public sealed class QrFraudAttackTests : TerminalTest
{
    protected override Task<TerminalHost> StartTerminalAsync(ProvinceHost province) => TerminalHost.StartAsync(province, extraArgs: ["--Speech:Player=none"]);

    [Fact]
    [Attack("rewrites a pending payment's QR in the terminal's database to pay a stranger's account", "the kiosk's QR image is refused (409 qr_account_not_registered) and the display shows no QR")]
    public async Task A_QR_for_an_account_other_than_the_registered_one_is_never_shown()
    {
        using var response = await Terminal.Http.PostAsJsonAsync("/api/v1/payments", new { clientRequestId = Guid.NewGuid().ToString(), method = "vietqr", payerCode = "HS240001", bills = new[] { new { billId = "HP-2611-HS240001" }, new { billId = "BT-2611-HS240001" } } });
        response.EnsureSuccessStatusCode();
        var payment = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = payment.GetProperty("id").GetString()!;
        var svgUrl = payment.GetProperty("qr").GetProperty("svgUrl").GetString()!;
        using (var honest = await Terminal.Http.GetAsync(svgUrl))
        {
            Assert.Equal(HttpStatusCode.OK, honest.StatusCode);
        }

        Assert.Equal("awaiting", Terminal.App.Services.GetRequiredService<CustomerDisplay>().Current.State);
        var original = VietQrParser.Parse(payment.GetProperty("qr").GetProperty("payload").GetString()!);
        var forged = VietQrBuilder.Build(original with { AccountNumber = "9999888877" });
        var database = Terminal.App.Services.GetRequiredService<SqliteDatabase>();
        await using (var connection = await database.OpenAsync())
        {
            await connection.ExecuteAsync("UPDATE payments SET qr_payload = $p WHERE id = $id", null, default, ("$p", forged), ("$id", id));
        }

        using (var forgedImage = await Terminal.Http.GetAsync(svgUrl))
        {
            Assert.Equal(HttpStatusCode.Conflict, forgedImage.StatusCode);
            Assert.Equal("qr_account_not_registered", (await forgedImage.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        }

        // The display, asked to show it (as for the rest of an underpaid payment), refuses too.
        var stored = await Terminal.App.Services.GetRequiredService<PaymentStore>().GetAsync(id);
        Assert.Equal(forged, stored!.Qr!.Payload);
        var institution = await Terminal.App.Services.GetRequiredService<CatalogueStore>().GetInstitutionAsync();
        var display = Terminal.App.Services.GetRequiredService<CustomerDisplay>();
        display.ShowQr(stored, institution!.Account!);
        Assert.Equal("refused", display.Current.State);
        Assert.Null(display.Current.QrPayload);
        AttackReport.Measured(this, "QR images refused: 1 of 1 forged; display state: refused");
    }
}
