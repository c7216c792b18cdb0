using KioskPos.Core.Domain;
using KioskPos.Core.Payments;
using KioskPos.Shared.Contracts;

namespace KioskPos.Storage.Tests;

/// <summary>Voids, refunds and shift closes on a real SQLite file: journalled, derived, and counted where they should be.</summary>
public class ReversalStoreTests
{
    private static readonly ReversalApproval s_approval = new("thu-ngan-01", "giam-sat-01", "Thu nhầm khoản");

    private static CreatePaymentCommand Pay(string billId, long? amount = null) =>
        new(null, "HS1", "04A1B2C3", PaymentMethod.CardBalance, [new RequestedAllocation(billId, amount)], "thu-ngan-01");

    [Fact]
    public async Task A_void_gives_the_card_its_money_back_reopens_the_bill_and_is_journalled()
    {
        await using var temp = await new TempDatabase().SeedAsync();
        var reversals = new ReversalStore(temp.Database, temp.Time);
        var paid = await temp.Payments.CreateAsync(Pay("B1"));
        Assert.Equal(350_000, (await temp.Catalogue.GetAvailableBalanceAsync("HS1")).Value);

        var result = await reversals.VoidAsync(paid.Payment.Id, s_approval);

        Assert.Equal(2, result.Sequence);
        Assert.Equal(150_000, result.Reversal.Amount);
        Assert.Equal([new AllocationDto("B1", 150_000)], result.Reversal.Allocations);
        Assert.Equal(PaymentState.Voided, (await temp.Payments.GetAsync(paid.Payment.Id))!.State);
        Assert.Equal(500_000, (await temp.Catalogue.GetAvailableBalanceAsync("HS1")).Value);
        Assert.True((await temp.Catalogue.GetBillsAsync("HS1")).Single(b => b.Id == "B1").IsOpen);
        var pending = await temp.Outbox.GetPendingAsync(10, 100_000);
        Assert.Equal([EntryKinds.PaymentCreated, EntryKinds.PaymentVoided], pending.Select(e => e.Kind));
        Assert.Equal("giam-sat-01", pending[1].Reversal!.Supervisor);

        // Once: a second void is refused and writes nothing.
        var again = await Assert.ThrowsAsync<PaymentRefusedException>(() => reversals.VoidAsync(paid.Payment.Id, s_approval));
        Assert.Equal("already_reversed", again.Refusal.Code);
        Assert.Equal(2, (await temp.Outbox.GetPendingAsync(10, 100_000)).Count);
        Assert.True((await new JournalVerifier(temp.Database).VerifyAsync()).Ok);
    }

    [Fact]
    public async Task A_void_needs_a_supervisor_other_than_the_cashier_and_a_payment_of_the_open_shift()
    {
        await using var temp = await new TempDatabase().SeedAsync();
        var reversals = new ReversalStore(temp.Database, temp.Time);
        var paid = await temp.Payments.CreateAsync(Pay("B1"));

        var self = await Assert.ThrowsAsync<PaymentRefusedException>(() => reversals.VoidAsync(paid.Payment.Id, s_approval with { Supervisor = "THU-NGAN-01" }));
        Assert.Equal(RefusalKind.Invalid, self.Refusal.Kind);
        var unknown = await Assert.ThrowsAsync<PaymentRefusedException>(() => reversals.VoidAsync("KP-T-01-00000099", s_approval));
        Assert.Equal(RefusalKind.NotFound, unknown.Refusal.Kind);

        var closed = await new ShiftStore(temp.Database, temp.Time, "KP-T-01").CloseAsync("thu-ngan-01");
        Assert.Equal(1, closed.Summary.Figures.Number);
        var late = await Assert.ThrowsAsync<PaymentRefusedException>(() => reversals.VoidAsync(paid.Payment.Id, s_approval));
        Assert.Equal("shift_closed", late.Refusal.Code);

        // After the close it can still be refunded.
        var refund = await reversals.RefundAsync(paid.Payment.Id, 150_000, ReversalDestinations.CardBalance, null, s_approval);
        Assert.Equal(PaymentState.Refunded, (await temp.Payments.GetAsync(paid.Payment.Id))!.State);
        Assert.Equal(150_000, refund.Reversal.Amount);
    }

    [Fact]
    public async Task Partial_refunds_reopen_the_last_bill_first_and_never_exceed_what_was_paid()
    {
        await using var temp = await new TempDatabase().SeedAsync();
        var reversals = new ReversalStore(temp.Database, temp.Time);
        var paid = await temp.Payments.CreateAsync(new CreatePaymentCommand(null, "HS1", "04A1B2C3", PaymentMethod.CardBalance,
            [new RequestedAllocation("B1", null), new RequestedAllocation("B2", 200_000)], "thu-ngan-01"));
        Assert.Equal(350_000, paid.Payment.Amount.Value);

        var first = await reversals.RefundAsync(paid.Payment.Id, 250_000, ReversalDestinations.CardBalance, null, s_approval);
        Assert.Equal([new AllocationDto("B2", 200_000), new AllocationDto("B1", 50_000)], first.Reversal.Allocations);
        Assert.Equal(PaymentState.Completed, (await temp.Payments.GetAsync(paid.Payment.Id))!.State);
        Assert.Equal(400_000, (await temp.Catalogue.GetAvailableBalanceAsync("HS1")).Value);

        var tooMuch = await Assert.ThrowsAsync<PaymentRefusedException>(() => reversals.RefundAsync(paid.Payment.Id, 100_001, ReversalDestinations.CardBalance, null, s_approval));
        Assert.Contains("100.000", tooMuch.Refusal.Vietnamese, StringComparison.Ordinal);
        var noReference = await Assert.ThrowsAsync<PaymentRefusedException>(() => reversals.RefundAsync(paid.Payment.Id, 100_000, ReversalDestinations.BankTransfer, " ", s_approval));
        Assert.Equal(RefusalKind.Invalid, noReference.Refusal.Kind);

        // The rest by a bank transfer: the card is not credited, the bill reopens, the payment is refunded in full.
        var rest = await reversals.RefundAsync(paid.Payment.Id, 100_000, ReversalDestinations.BankTransfer, "FT2611230001", s_approval);
        Assert.Equal([new AllocationDto("B1", 100_000)], rest.Reversal.Allocations);
        Assert.Equal(400_000, (await temp.Catalogue.GetAvailableBalanceAsync("HS1")).Value);
        Assert.Equal(PaymentState.Refunded, (await temp.Payments.GetAsync(paid.Payment.Id))!.State);
        var bills = await temp.Catalogue.GetBillsAsync("HS1");
        Assert.Equal(150_000, bills.Single(b => b.Id == "B1").Outstanding.Value);
        Assert.Equal(600_000, bills.Single(b => b.Id == "B2").Outstanding.Value);
        var none = await Assert.ThrowsAsync<PaymentRefusedException>(() => reversals.RefundAsync(paid.Payment.Id, 1, ReversalDestinations.CardBalance, null, s_approval));
        Assert.Equal("nothing_to_refund", none.Refusal.Code);
    }

    [Fact]
    public async Task A_shift_close_journals_the_shifts_figures_and_the_next_shift_starts_after_it()
    {
        await using var temp = await new TempDatabase().SeedAsync();
        var reversals = new ReversalStore(temp.Database, temp.Time);
        var one = await temp.Payments.CreateAsync(Pay("B1"));
        await temp.Payments.CreateAsync(Pay("B2", 100_000));
        await reversals.VoidAsync(one.Payment.Id, s_approval);
        var shifts = new ShiftStore(temp.Database, temp.Time, "KP-T-01");
        var x = (await shifts.OpenAsync("thu-ngan-01")).Figures;
        Assert.Equal(250_000, x.ByMethod.Single().Amount);

        var z = (await shifts.CloseAsync("thu-ngan-01")).Summary.Figures;
        Assert.Equal((1L, 1L, 3L), (z.Number, z.FirstSequence, z.LastSequence));
        Assert.Equal(new MethodTotalDto("card_balance", 2, 250_000), z.ByMethod.Single());
        Assert.Equal((1, 150_000L, 0, 0L), (z.Voids, z.Voided, z.Refunds, z.Refunded));

        await temp.Payments.CreateAsync(Pay("B2", 50_000));
        var second = (await shifts.CloseAsync("thu-ngan-02")).Summary.Figures;
        Assert.Equal((2L, 5L, 5L), (second.Number, second.FirstSequence, second.LastSequence));
        var entries = await temp.Outbox.GetPendingAsync(10, 100_000);
        Assert.Equal(2, entries.Count(e => e.Kind == EntryKinds.ShiftClosed));
        Assert.True((await new JournalVerifier(temp.Database).VerifyAsync()).Ok);
    }

    [Fact]
    public async Task Voids_refunds_and_shifts_are_derived_again_from_the_journal_alone()
    {
        await using var temp = await new TempDatabase().SeedAsync();
        var reversals = new ReversalStore(temp.Database, temp.Time);
        var one = await temp.Payments.CreateAsync(Pay("B1"));
        var two = await temp.Payments.CreateAsync(Pay("B2", 300_000));
        await reversals.VoidAsync(one.Payment.Id, s_approval);
        await reversals.RefundAsync(two.Payment.Id, 120_000, ReversalDestinations.CardBalance, null, s_approval);
        var three = await temp.Payments.CreateAsync(Pay("B2", 50_000));
        await new ShiftStore(temp.Database, temp.Time, "KP-T-01").CloseAsync("thu-ngan-01");
        var before = (await temp.Catalogue.GetAvailableBalanceAsync("HS1"), await temp.Catalogue.GetBillsAsync("HS1"), (await temp.Payments.GetAsync(one.Payment.Id))!.State);

        await JournalProjection.RebuildAsync(temp.Database);

        Assert.Equal(before.Item1, await temp.Catalogue.GetAvailableBalanceAsync("HS1"));
        Assert.Equal(before.Item2.Select(b => (b.Id, b.Outstanding)), (await temp.Catalogue.GetBillsAsync("HS1")).Select(b => (b.Id, b.Outstanding)));
        Assert.Equal(PaymentState.Voided, (await temp.Payments.GetAsync(one.Payment.Id))!.State);
        Assert.Equal(270_000, before.Item1.Value);
        var late = await Assert.ThrowsAsync<PaymentRefusedException>(() => reversals.VoidAsync(three.Payment.Id, s_approval));
        Assert.Equal("shift_closed", late.Refusal.Code);
    }
}
