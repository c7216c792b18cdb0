using System.Globalization;
using System.Text;

namespace KioskPos.Core.Money;

/// <summary>
/// An amount of Vietnamese đồng. The đồng has no minor unit in use, so amounts are whole numbers held in a
/// <see cref="long"/>; every arithmetic operation is overflow-checked.
/// </summary>
/// <param name="Value">The amount in whole đồng; negative only where a debt is meant (e.g. an overdrawn balance).</param>
public readonly record struct Vnd(long Value) : IComparable<Vnd>
{
    /// <summary>The currency sign printed after the amount.</summary>
    public const string Sign = "₫";

    /// <summary>
    /// The largest amount any payment, bill or allocation may be: 13 digits (9.999.999.999.999 ₫, far beyond any
    /// fee). Every path that takes an amount from outside (a payment, an import, a push) refuses more with a 400
    /// naming the field, so that sums of up to <see cref="KioskPos.Core.Payments.PaymentPlanner.MaxBillsPerPayment"/>
    /// of them never overflow and nothing beyond it reaches a database.
    /// </summary>
    public const long MaxAmount = 9_999_999_999_999;

    /// <summary>True when <paramref name="value"/> is an amount a payment may carry: 0 to <see cref="MaxAmount"/>.</summary>
    public static bool IsWithinBounds(long value) => value is >= 0 and <= MaxAmount;

    /// <summary>Zero đồng.</summary>
    public static Vnd Zero => default;

    /// <summary>True when the amount is below zero.</summary>
    public bool IsNegative => Value < 0;

    /// <summary>True when the amount is above zero.</summary>
    public bool IsPositive => Value > 0;

    /// <summary>Adds two amounts; throws <see cref="OverflowException"/> rather than wrapping.</summary>
    public static Vnd operator +(Vnd a, Vnd b) => new(checked(a.Value + b.Value));

    /// <summary>Subtracts two amounts; throws <see cref="OverflowException"/> rather than wrapping.</summary>
    public static Vnd operator -(Vnd a, Vnd b) => new(checked(a.Value - b.Value));

    /// <summary>Compares two amounts.</summary>
    public static bool operator <(Vnd a, Vnd b) => a.Value < b.Value;

    /// <summary>Compares two amounts.</summary>
    public static bool operator >(Vnd a, Vnd b) => a.Value > b.Value;

    /// <summary>Compares two amounts.</summary>
    public static bool operator <=(Vnd a, Vnd b) => a.Value <= b.Value;

    /// <summary>Compares two amounts.</summary>
    public static bool operator >=(Vnd a, Vnd b) => a.Value >= b.Value;

    /// <summary>The smaller of two amounts.</summary>
    public static Vnd Min(Vnd a, Vnd b) => a.Value <= b.Value ? a : b;

    /// <summary>The amount of <paramref name="quantity"/> units at this unit price, overflow-checked.</summary>
    public Vnd Times(long quantity) => new(checked(Value * quantity));

    /// <summary>A non-negative amount; throws <see cref="ArgumentOutOfRangeException"/> for a negative value.</summary>
    public static Vnd NonNegative(long value) =>
        value < 0 ? throw new ArgumentOutOfRangeException(nameof(value), value, KioskPos.Core.Text.Messages.Both("payment.amount_negative")) : new Vnd(value);

    /// <summary>Sums amounts, overflow-checked.</summary>
    public static Vnd Sum(IEnumerable<Vnd> amounts)
    {
        var total = Zero;
        foreach (var amount in amounts)
        {
            total += amount;
        }

        return total;
    }

    /// <inheritdoc />
    public int CompareTo(Vnd other) => Value.CompareTo(other.Value);

    /// <summary>Formats as people read it in Vietnam: <c>1.250.000 ₫</c> (dot thousands separator, sign after).</summary>
    public override string ToString() => Format(Value);

    /// <summary>Formats a whole-đồng value as <c>1.250.000 ₫</c>.</summary>
    public static string Format(long value)
    {
        // Written out rather than taken from the vi-VN culture so that the result does not depend on the
        // ICU data of the machine (a Pi image may run with invariant globalisation).
        var digits = value.ToString(CultureInfo.InvariantCulture).TrimStart('-');
        var builder = new StringBuilder(digits.Length + 8);
        if (value < 0)
        {
            builder.Append('-');
        }

        var firstGroup = digits.Length % 3;
        if (firstGroup == 0)
        {
            firstGroup = 3;
        }

        builder.Append(digits, 0, firstGroup);
        for (var i = firstGroup; i < digits.Length; i += 3)
        {
            builder.Append('.').Append(digits, i, 3);
        }

        return builder.Append(' ').Append(Sign).ToString();
    }

    /// <summary>
    /// Reads an amount typed by a person: <c>1250000</c>, <c>1.250.000</c>, <c>1 250 000 ₫</c> or <c>1.250.000đ</c>.
    /// Rejects fractions, misplaced separators and anything that is not a whole number of đồng.
    /// </summary>
    public static bool TryParse(string? text, out Vnd amount)
    {
        amount = Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        foreach (var suffix in new[] { Sign, "đ", "VND", "vnd", "VNĐ" })
        {
            if (s.EndsWith(suffix, StringComparison.Ordinal))
            {
                s = s[..^suffix.Length].TrimEnd();
                break;
            }
        }

        var negative = s.StartsWith('-');
        if (negative)
        {
            s = s[1..];
        }

        var groups = s.Split('.', ' ', '\u00A0');
        if (groups.Length > 1 && (groups[0].Length is < 1 or > 3 || groups.Skip(1).Any(g => g.Length != 3)))
        {
            return false;
        }

        var digits = string.Concat(groups);
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit) ||
            !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        amount = new Vnd(negative ? -value : value);
        return true;
    }
}
