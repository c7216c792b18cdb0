using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Core.Receipts;
using KioskPos.Shared.Contracts;
using KioskPos.Storage;
using KioskPos.Terminal.Services;
using Microsoft.Extensions.DependencyInjection;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// What a void or refund takes in its free text, and what the print queue does with a document it cannot draw: a
/// sweep of the running terminal sent a refund with a reason of 100,000 characters, whose slip no printer could draw;
/// the print queue's failure stopped the terminal, and every start after it (the job was still queued).
/// </summary>
public sealed class ReversalInputTests
{
    [Fact]
    public async Task A_reason_beyond_one_short_line_or_a_reference_no_bank_writes_is_refused_naming_the_field_and_nothing_is_journalled()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        var cashier = await terminal.StaffAsync(StaffRole.Cashier);
        await terminal.StaffAsync(StaffRole.Supervisor); // made, and signed in once
        var (supervisorId, supervisorPin) = TerminalHost.StaffPins[StaffRole.Supervisor];
        await terminal.TapAsync("04A1B2C3");
        string id;
        using (var paid = await terminal.PayAsync("04A1B2C3", "HP-2611-HS240001"))
        {
            Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
            id = (await paid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        }

        await terminal.ReceiptSettledAsync(id);
        var journalled = await terminal.JournalCountAsync();

        async Task RefusedAsync(string action, object body, string field)
        {
            using var refused = await cashier.PostAsJsonAsync($"/api/v1/payments/{id}/{action}", body);
            var problem = (await refused.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProblemDto))!;
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{action} {field}: {refused.StatusCode} {problem.Detail}");
            Assert.Equal("invalid_request", problem.Code);
            Assert.StartsWith($"Trường {field} không hợp lệ", problem.Title, StringComparison.Ordinal);
            Assert.StartsWith(field, problem.Detail, StringComparison.Ordinal);
        }

        var longReason = new string('r', ReversalStore.MaxReasonLength + 1);
        await RefusedAsync("void", new { reason = longReason, supervisorId, supervisorPin }, "reason");
        await RefusedAsync("void", new { reason = "Thu nhầm\u001b[2J", supervisorId, supervisorPin }, "reason");
        await RefusedAsync("refund", new { amount = 1, destination = "bank_transfer", bankReference = "FT26120500001", reason = "\u202eThu nhầm", supervisorId, supervisorPin }, "reason");
        await RefusedAsync("refund", new { amount = 1, destination = "bank_transfer", bankReference = new string('R', 65), reason = "Hoàn học phí", supervisorId, supervisorPin }, "bankReference");
        await RefusedAsync("refund", new { amount = 1, destination = "bank_transfer", bankReference = "FT1", reason = "Hoàn học phí", supervisorId, supervisorPin }, "bankReference");
        await RefusedAsync("refund", new { amount = 1, destination = "bank_transfer", bankReference = "FT26\n120500001", reason = "Hoàn học phí", supervisorId, supervisorPin }, "bankReference");
        Assert.Equal(journalled, await terminal.JournalCountAsync());
        Assert.Equal("completed", (await terminal.PaymentAsync(id)).GetProperty("state").GetString());

        // At the bounds: a reason of 200 characters and a bank's reference are taken, and the slip prints.
        var reason = string.Concat(Enumerable.Repeat("Hoàn tiền ", 20));
        Assert.Equal(ReversalStore.MaxReasonLength, reason.Length);
        using var refunded = await cashier.PostAsJsonAsync($"/api/v1/payments/{id}/refund",
            new { amount = 50_000, destination = "bank_transfer", bankReference = " FT26120500001 ", reason, supervisorId, supervisorPin });
        var view = await refunded.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(refunded.StatusCode == HttpStatusCode.OK, view.ToString());
        Assert.Equal(journalled + 1, await terminal.JournalCountAsync());
    }

    [Fact]
    public async Task A_document_the_printer_cannot_draw_is_cancelled_and_the_terminal_prints_the_next_receipt()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        var queue = terminal.App.Services.GetRequiredService<PrintQueue>();

        // 6,000 lines: a picture taller than the renderer draws (64 Mi dots, about 4,000 lines on 80 mm paper).
        var builder = new PrintDocumentBuilder("Quá dài");
        for (var i = 0; i < 6_000; i++)
        {
            builder.Text($"Dòng {i}");
        }

        var outcome = await queue.PrintDocumentAsync(PrintJobKinds.Report, null, builder.Build(), TimeSpan.FromSeconds(60), CancellationToken.None);
        Assert.False(outcome.Printed);
        Assert.Contains("Không thể in phiếu này", outcome.Problem, StringComparison.Ordinal);
        var job = await terminal.App.Services.GetRequiredService<PrintQueueStore>().GetAsync(outcome.JobId);
        Assert.Equal("cancelled", job!.State);

        // The terminal is up and its queue goes on: a payment's receipt prints.
        Assert.Equal("Healthy", await terminal.Http.GetStringAsync("/health"));
        await terminal.TapAsync("04A1B2C3");
        using var paid = await terminal.PayAsync("04A1B2C3", "HP-2611-HS240001");
        Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
        var id = (await paid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var settled = await terminal.ReceiptSettledAsync(id);
        Assert.Equal("printed", settled.GetProperty("receipt").GetProperty("state").GetString());
    }

}
