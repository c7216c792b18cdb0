using KioskPos.Core.VietQr;

namespace KioskPos.Core.Tests;

/// <summary>
/// A code cut short by the payer or the bank must not be completed by the letters of the words after it into another
/// valid code (the check character lets one in 32 through): a code ends where a word ends, and a code read across a
/// separator is marked so that matching applies it only at exactly the amount due.
/// </summary>
public sealed class CutTransferCodeTests
{
    private const string Tail = " CT tu 0123456789 NGUYEN VAN A";

    private static TransferCode Code(string value)
    {
        Assert.True(TransferCode.TryParse(value, out var code));
        return code.Value;
    }

    [Fact]
    public void A_cut_code_followed_by_words_never_yields_another_code_read_within_one_word()
    {
        var random = new Random(2026);
        var (texts, split) = (0, 0);
        for (var i = 0; i < 20_000; i++)
        {
            var code = TransferCode.Create(random.Next(TransferCode.MaxTerminalTag + 1), random.NextInt64(1, TransferCode.MaxSequence + 1)).Value;
            for (var k = 1; k <= 10; k++)
            {
                texts++;
                foreach (var (found, isSplit) in TransferCode.FindSplitIn(code[..^k] + Tail).Where(f => f.Code.Value != code))
                {
                    // (The code itself comes back when its own last letters are "CT" or "CTTU".) Only a code read across
                    // the space before "CT" or "CT tu" can pass the check, and it is marked: matching applies it only
                    // where the amount is exactly what its payment owes.
                    Assert.True(isSplit, $"{code[..^k] + Tail} gave {found.Value} as a whole code");
                    split++;
                }
            }
        }

        // About one cut in 32 of those ending before "CT" and "CT tu" (k = 2 and 4) reads as a valid code; no other k does.
        Assert.InRange(split, 1, texts / 100);
    }

    [Fact]
    public void A_window_that_stops_inside_a_word_is_no_code()
    {
        var code = TransferCode.Create(3, 42).Value;
        // Without the boundary the window "code[..11] + 'C'" would be read when its last letter happened to pass the check.
        var random = new Random(5);
        for (var i = 0; i < 5_000; i++)
        {
            var other = TransferCode.Create(random.Next(TransferCode.MaxTerminalTag + 1), random.NextInt64(1, TransferCode.MaxSequence + 1)).Value;
            Assert.Empty(TransferCode.FindIn(other + "X hoc phi"));
            Assert.Empty(TransferCode.FindIn(other[..^1] + " " + other[^1] + "X"));
        }

        Assert.Equal(code, Assert.Single(TransferCode.FindIn(code + ".CT tu 0123")).Value);
        Assert.Equal(code, Assert.Single(TransferCode.FindIn(code)).Value);
    }

    [Fact]
    public void SePays_join_of_a_cut_content_and_the_code_finds_the_code()
    {
        var random = new Random(9);
        for (var i = 0; i < 2_000; i++)
        {
            var code = TransferCode.Create(random.Next(TransferCode.MaxTerminalTag + 1), random.NextInt64(1, TransferCode.MaxSequence + 1)).Value;
            var found = TransferCode.FindSplitIn(code[..9] + " " + code);
            Assert.Contains((Code(code), false), found);
            Assert.All(found.Where(f => f.Code.Value != code), f => Assert.True(f.Split));
        }
    }

    [Fact]
    public void A_code_split_by_the_bank_is_found_and_marked_split_a_whole_one_not()
    {
        var code = TransferCode.Create(3, 42).Value;
        Assert.Equal([(Code(code), true)], TransferCode.FindSplitIn($"MBVCB.3278729.{code[..5]} {code[5..]}.CT tu 1234"));
        Assert.Equal([(Code(code), false)], TransferCode.FindSplitIn($"CT tu 0123456789 NGUYEN VAN A {code} hoc phi"));
    }
}
