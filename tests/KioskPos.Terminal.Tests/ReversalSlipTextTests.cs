using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Core.Text;
using KioskPos.Storage;
using KioskPos.Tests.Shared;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// A refund's slip is printed in Vietnamese as the receipts are: where the money went, once, and a bank transfer's
/// reference once. It printed "Chuyển khoản FT… / Bank transfer FT…", the reference wrapping onto a second line, and
/// "Số dư thẻ / Card balance".
/// </summary>
public sealed class ReversalSlipTextTests
{
    [Fact]
    public async Task A_refund_slip_names_the_destination_in_Vietnamese_once_and_the_bank_reference_once()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        var cashier = await terminal.StaffAsync(StaffRole.Cashier);
        await terminal.StaffAsync(StaffRole.Supervisor);
        var (supervisorId, supervisorPin) = TerminalHost.StaffPins[StaffRole.Supervisor];
        await terminal.TapAsync("04A1B2C3");
        string id;
        using (var paid = await terminal.PayAsync("04A1B2C3", "HP-2611-HS240001"))
        {
            Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
            id = (await paid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        }

        await terminal.ReceiptSettledAsync(id);
        const string reference = "FT26120500001";
        await RefundAsync(new { amount = 50_000, destination = "bank_transfer", bankReference = reference, reason = "Thu trùng", supervisorId, supervisorPin });
        var bankSlip = OneLine(await SlipAsync(1));
        Assert.Contains(Messages.Vi("receipt.reversal.refundTo", Messages.Vi("receipt.refund_to.bank_transfer", reference)), bankSlip, StringComparison.Ordinal);
        Assert.Single(bankSlip.Split(reference)[1..]);
        Assert.DoesNotContain(Messages.En("receipt.refund_to.bank_transfer", string.Empty).Trim(), bankSlip, StringComparison.Ordinal);

        await RefundAsync(new { amount = 20_000, destination = "card_balance", reason = "Thu trùng", supervisorId, supervisorPin });
        var cardSlip = OneLine(await SlipAsync(2));
        Assert.Contains(Messages.Vi("receipt.reversal.refundTo", Messages.Vi("receipt.refund_to.card_balance")), cardSlip, StringComparison.Ordinal);
        Assert.DoesNotContain(Messages.En("receipt.refund_to.card_balance"), cardSlip, StringComparison.Ordinal);

        // A long line wraps on the paper: read the slip's words in one line.
        static string OneLine(string slip) => string.Join(' ', slip.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));

        async Task RefundAsync(object body)
        {
            using var refunded = await cashier.PostAsJsonAsync($"/api/v1/payments/{id}/refund", body);
            Assert.True(refunded.StatusCode == HttpStatusCode.OK, await refunded.Content.ReadAsStringAsync());
        }

        // The refund slips on paper (the emulated printer's text files), oldest first; waits for the count-th.
        async Task<string> SlipAsync(int count)
        {
            var title = Messages.Vi("receipt.reversal.refund");
            List<string> slips = [];
            await Wait.UntilAsync(() =>
            {
                slips = [.. Directory.GetFiles(terminal.ReceiptsFolder, "*.txt").Order(StringComparer.Ordinal).Select(File.ReadAllText).Where(t => t.Contains(title, StringComparison.Ordinal))];
                return Task.FromResult(slips.Count >= count);
            }, TimeSpan.FromSeconds(20), $"refund slip {count}");
            return slips[count - 1];
        }
    }
}
