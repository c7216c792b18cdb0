using KioskPos.Core.Domain;
using KioskPos.Core.Payments;
using KioskPos.Shared.Contracts;

namespace KioskPos.Storage.Tests;

/// <summary>Shifts on a real SQLite file: one range of journal entries gives the figures, the opening and the receipts.</summary>
public class ShiftStoreTests
{
    private static readonly ReversalApproval s_approval = new("thu-ngan-01", "giam-sat-01", "Thu nhầm khoản");

    private static CreatePaymentCommand Pay(string billId, long? amount = null) =>
        new(null, "HS1", "04A1B2C3", PaymentMethod.CardBalance, [new RequestedAllocation(billId, amount)], "thu-ngan-01");

    [Fact]
    public async Task A_shift_opens_with_the_first_entry_or_the_last_close_and_counts_as_taken_in_only_money_that_came_in()
    {
        await using var temp = await new TempDatabase().SeedAsync();
        var shifts = new ShiftStore(temp.Database, temp.Time, "KP-T-01");
        var reversals = new ReversalStore(temp.Database, temp.Time);
        var installed = temp.Time.GetUtcNow();
        var one = await temp.Payments.CreateAsync(Pay("B1"));
        temp.Time.Advance(TimeSpan.FromHours(3));
        var two = await temp.Payments.CreateAsync(Pay("B2", 100_000));
        await reversals.VoidAsync(one.Payment.Id, s_approval);
        await reversals.RefundAsync(two.Payment.Id, 40_000, ReversalDestinations.BankTransfer, "FT26112300001", s_approval);

        // Before any close the shift holds every entry since installation, so it opened with the first.
        var x = await shifts.OpenAsync("thu-ngan-01");
        Assert.Equal(installed, x.OpenedAt);
        Assert.Equal(("KP-T-01-00000001", "KP-T-01-00000002"), (x.FirstReceipt, x.LastReceipt));

        // Payments from the balance are listed but brought no money; the void moved none; the transfer took 40.000 out.
        temp.Time.Advance(TimeSpan.FromMinutes(5));
        var z = await shifts.CloseAsync("thu-ngan-01");
        Assert.Equal(new MethodTotalDto("card_balance", 2, 250_000), z.Summary.Figures.ByMethod.Single());
        Assert.Equal((1, 150_000L, 1, 40_000L, 40_000L, -40_000L),
            (z.Summary.Figures.Voids, z.Summary.Figures.Voided, z.Summary.Figures.Refunds, z.Summary.Figures.Refunded, z.Summary.Figures.RefundedByTransfer, z.Summary.Figures.Net));
        Assert.Equal((installed, temp.Time.GetUtcNow()), (z.Summary.OpenedAt, z.Summary.At));

        // The next shift opens at that close and issues its own receipts.
        temp.Time.Advance(TimeSpan.FromMinutes(5));
        var three = await temp.Payments.CreateAsync(Pay("B2", 50_000));
        var next = await shifts.OpenAsync("thu-ngan-02");
        Assert.Equal((2L, z.Summary.At), (next.Figures.Number, next.OpenedAt));
        Assert.Equal((three.Payment.Id, three.Payment.Id), (next.FirstReceipt, next.LastReceipt));
        Assert.True((await new JournalVerifier(temp.Database).VerifyAsync()).Ok);
    }
}
