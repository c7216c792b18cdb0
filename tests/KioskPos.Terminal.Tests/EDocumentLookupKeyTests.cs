using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Core.Receipts;
using KioskPos.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// Issue 22 on the terminal: a payment taken while the province is unreachable still gets its e-document lookup key
/// at once, and the printed receipt (its text twin) says where and with which key to find the e-invoice or
/// e-receipt; once the province is back, that key opens the payment's lookup page with its document's state.
/// </summary>
public sealed class EDocumentLookupKeyTests
{
    [Fact]
    public async Task An_offline_payments_receipt_prints_the_lookup_address_and_key_that_open_its_e_document_once_the_province_is_back()
    {
        var province = await ProvinceHost.StartAsync();
        var folder = province.Folder;
        var port = province.BaseUrl.Port;
        await using var terminal = await TerminalHost.StartAsync(province);
        await province.StopAsync();

        await terminal.TapAsync("04A1B2C3");
        using var response = await terminal.PayAsync("04A1B2C3", "HP-2611-HS240001");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        // The key is the receipt's lookup token, from the terminal's own journal: no province needed.
        var token = await terminal.App.Services.GetRequiredService<PaymentStore>().LookupTokenAsync(id);
        Assert.NotNull(token);
        var key = ReceiptLookupKey.Format(token);
        Assert.Matches("^[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$", key);

        var path = Path.Combine(terminal.ReceiptsFolder, id + ".txt");
        await Wait.UntilAsync(() => Task.FromResult(File.Exists(path)), TimeSpan.FromSeconds(20), "the receipt");
        var text = await File.ReadAllTextAsync(path);
        var read = string.Join(' ', text.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries)); // as read, whatever the wrapping
        Assert.Contains($"Tra cứu hóa đơn/biên lai điện tử tại: {province.BaseUrl.ToString().TrimEnd('/')}/r Mã tra cứu: {key}", read, StringComparison.Ordinal);
        Assert.Contains($"Số biên lai: {id}", read, StringComparison.Ordinal);

        // The province back on its data and address: the payment arrives, and the printed key opens its page.
        await using var back = await ProvinceHost.StartAsync(folder, port);
        await Wait.UntilDrainedAsync(terminal.Http, TimeSpan.FromSeconds(30));
        using var http = new HttpClient();
        var receipt = await http.GetFromJsonAsync<JsonElement>($"{back.BaseUrl.ToString().TrimEnd('/')}/api/v1/receipts/{id}?h={key}");
        var document = Assert.Single(receipt.GetProperty("documents").EnumerateArray());
        Assert.Equal(("original", "waiting"), (document.GetProperty("purpose").GetString(), document.GetProperty("state").GetString()));
    }
}
