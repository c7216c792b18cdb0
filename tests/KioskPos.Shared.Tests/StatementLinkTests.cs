using System.Security.Cryptography;
using KioskPos.Shared.Contracts;

namespace KioskPos.Shared.Tests;

/// <summary>
/// The statement link's signature (issue 27): it verifies with the terminal's public key for exactly the terminal,
/// account, month and expiry it was made for, and for nothing else; the month and expiry rules.
/// </summary>
public sealed class StatementLinkTests
{
    [Fact]
    public void A_link_verifies_only_for_what_it_was_signed_for_and_only_with_the_terminals_key()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        const long Expires = 1_801_000_000;
        var signature = StatementLink.Sign(key, "KP-THCS-ND-01", "HS240001", "2026-12", Expires);
        Assert.Equal(86, signature.Length);
        Assert.Matches("^[A-Za-z0-9_-]{86}$", signature);

        Assert.True(StatementLink.Verify(key, "KP-THCS-ND-01", "HS240001", "2026-12", Expires, signature));
        Assert.False(StatementLink.Verify(other, "KP-THCS-ND-01", "HS240001", "2026-12", Expires, signature));
        Assert.False(StatementLink.Verify(key, "KP-THCS-ND-02", "HS240001", "2026-12", Expires, signature));
        Assert.False(StatementLink.Verify(key, "KP-THCS-ND-01", "HS240002", "2026-12", Expires, signature));
        Assert.False(StatementLink.Verify(key, "KP-THCS-ND-01", "HS240001", "2026-11", Expires, signature));
        Assert.False(StatementLink.Verify(key, "KP-THCS-ND-01", "HS240001", "2026-12", Expires + 1, signature));
        Assert.False(StatementLink.Verify(key, "KP-THCS-ND-01", "HS240001", "2026-12", Expires, signature[..85] + (signature[85] == 'A' ? 'Q' : 'A')));
        Assert.False(StatementLink.Verify(key, "KP-THCS-ND-01", "HS240001", "2026-12", Expires, signature[..85]));
        Assert.False(StatementLink.Verify(key, "KP-THCS-ND-01", "HS240001", "2026-12", Expires, new string('!', 86)));

        // A request signature's base never verifies as a link (the link's text starts with its own label).
        Assert.False(StatementLink.Verify(key, "\"@method\": GET", "HS240001", "2026-12", Expires, signature));

        var url = StatementLink.Url("https://tinh.example/", "KP-THCS-ND-01", "HS240001", "2026-12", Expires, signature);
        Assert.Equal($"https://tinh.example/s/HS240001/2026-12?t=KP-THCS-ND-01&e={Expires}&k={signature}", url);
    }

    [Fact]
    public void The_month_is_yyyy_mm_and_a_link_works_until_the_start_of_the_third_month_after()
    {
        Assert.True(StatementLink.IsMonth("2026-12"));
        foreach (var bad in new[] { null, "", "2026-13", "2026-00", "2026-1", "26-12-01", "1999-12", "2026/12", "2026-12 " })
        {
            Assert.False(StatementLink.IsMonth(bad), bad);
        }

        var vietnam = TimeSpan.FromHours(7);
        Assert.Equal("2026-12", StatementLink.MonthOf(new DateTimeOffset(2026, 12, 31, 23, 59, 0, vietnam)));
        Assert.Equal(new DateTimeOffset(2027, 3, 1, 0, 0, 0, vietnam), StatementLink.ExpiresFor(new DateTimeOffset(2026, 12, 1, 0, 0, 0, vietnam)));
        Assert.Equal(new DateTimeOffset(2027, 3, 1, 0, 0, 0, vietnam), StatementLink.ExpiresFor(new DateTimeOffset(2026, 12, 31, 23, 59, 0, vietnam)));

        // The longest a link is made to work stays within what the province accepts.
        var longest = StatementLink.ExpiresFor(new DateTimeOffset(2026, 12, 1, 0, 0, 0, vietnam)) - new DateTimeOffset(2026, 12, 1, 0, 0, 0, vietnam);
        Assert.True(longest <= StatementLink.MaxValidity, longest.ToString());
    }
}
