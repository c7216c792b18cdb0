using KioskPos.Core.Money;

namespace KioskPos.Core.Tests;

public class VndTests
{
    [Theory]
    [InlineData(0, "0 ₫")]
    [InlineData(5, "5 ₫")]
    [InlineData(999, "999 ₫")]
    [InlineData(1000, "1.000 ₫")]
    [InlineData(38700, "38.700 ₫")]
    [InlineData(1250000, "1.250.000 ₫")]
    [InlineData(-150000, "-150.000 ₫")]
    [InlineData(long.MaxValue, "9.223.372.036.854.775.807 ₫")]
    public void Formats_with_dot_groups_and_the_dong_sign_after(long value, string expected) =>
        Assert.Equal(expected, new Vnd(value).ToString());

    [Fact]
    public void Formats_the_most_negative_value_without_overflow() =>
        Assert.Equal("-9.223.372.036.854.775.808 ₫", Vnd.Format(long.MinValue));

    [Fact]
    public void Addition_overflow_throws_instead_of_wrapping()
    {
        var max = new Vnd(long.MaxValue);
        Assert.Throws<OverflowException>(() => max + new Vnd(1));
        Assert.Throws<OverflowException>(() => new Vnd(long.MinValue) - new Vnd(1));
        Assert.Throws<OverflowException>(() => new Vnd(long.MaxValue / 2 + 1).Times(2));
        Assert.Throws<OverflowException>(() => Vnd.Sum([max, new Vnd(1)]));
    }

    [Fact]
    public void NonNegative_refuses_a_negative_amount()
    {
        Assert.Equal(new Vnd(0), Vnd.NonNegative(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Vnd.NonNegative(-1));
    }

    [Theory]
    [InlineData("1250000", 1250000)]
    [InlineData("1.250.000", 1250000)]
    [InlineData("1.250.000 ₫", 1250000)]
    [InlineData("1.250.000đ", 1250000)]
    [InlineData(" 150 000 VND ", 150000)]
    [InlineData("-5.000", -5000)]
    public void Parses_what_people_type(string text, long expected)
    {
        Assert.True(Vnd.TryParse(text, out var amount));
        Assert.Equal(expected, amount.Value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("12,5")]
    [InlineData("1.25.000")]
    [InlineData("1250.5")]
    [InlineData("abc")]
    [InlineData("99999999999999999999")]
    [InlineData("١٢٣")]
    public void Refuses_what_is_not_a_whole_amount(string? text) => Assert.False(Vnd.TryParse(text, out _));

    [Fact]
    public void Format_and_parse_round_trip()
    {
        var random = new Random(7);
        for (var i = 0; i < 1000; i++)
        {
            var value = random.NextInt64(-1_000_000_000_000, 1_000_000_000_000);
            Assert.True(Vnd.TryParse(new Vnd(value).ToString(), out var back));
            Assert.Equal(value, back.Value);
        }
    }
}
