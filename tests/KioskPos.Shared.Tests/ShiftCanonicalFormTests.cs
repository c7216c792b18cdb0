using KioskPos.Shared.Contracts;

namespace KioskPos.Shared.Tests;

/// <summary>A shift close's figures in the hash chain: every figure the Z report prints is covered, old hashes kept.</summary>
public class ShiftCanonicalFormTests
{
    private static JournalEntryDto Close(long byTransfer) =>
        new(7, EntryKinds.ShiftClosed, new DateTimeOffset(2026, 12, 6, 10, 0, 0, TimeSpan.Zero),
            Shift: new ShiftClosedDto(1, 1, 6, "tn01", [new MethodTotalDto("card_balance", 2, 250_000)], 1, 150_000, 1, 40_000, -byTransfer, 0, 0, byTransfer));

    [Fact]
    public void The_refunds_by_transfer_are_in_the_hash_and_a_shift_without_any_hashes_as_before()
    {
        Assert.NotEqual(EntryCanonicalForm.Digest(Close(40_000)), EntryCanonicalForm.Digest(Close(40_000) with { Shift = Close(40_000).Shift! with { RefundedByTransfer = 39_000 } }));
        var before = Close(0);
        Assert.DoesNotContain("refunded_by_transfer", System.Text.Encoding.UTF8.GetString(EntryCanonicalForm.Encode(before)), StringComparison.Ordinal);
    }
}
