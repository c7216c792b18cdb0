using System.Security.Cryptography;
using System.Text;
using KioskPos.Core.Payments;

namespace KioskPos.Core.Tests;

/// <summary>The key of a payment's link for a relative (issue 24): from the journal hash, not the receipt's key.</summary>
public sealed class PayLinkKeyTests
{
    private const string Hash = "9f3a61c2d0be47aa0c5e1d2f3b4a59687766554433221100ffeeddccbbaa9988";

    [Fact]
    public void The_key_is_an_HMAC_of_the_journal_hash_12_hex_digits_and_not_the_receipts_lookup_token()
    {
        var key = PayLinkKey.Derive(Hash);
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.ASCII.GetBytes(Hash), Encoding.ASCII.GetBytes("kioskpos pay link for a relative v1")))[..12];
        Assert.Equal(expected, key);
        Assert.Equal(key, PayLinkKey.Derive(Hash.ToUpperInvariant())); // the hash in any case
        Assert.NotEqual(Hash[..12], key); // the receipt's token is the hash's first 12 digits
        Assert.NotEqual(key, PayLinkKey.Derive("0" + Hash[1..])); // another entry, another key
        Assert.True(PayLinkKey.IsWellFormed(key));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("9f3a61c2d0b")]
    [InlineData("9f3a61c2d0bee")]
    [InlineData("9F3A61C2D0BE")]
    [InlineData("9f3a-61c2-d0")]
    public void Only_12_lower_case_hex_digits_are_a_key(string? key) => Assert.False(PayLinkKey.IsWellFormed(key));

    [Fact]
    public void A_key_matches_its_own_entry_only()
    {
        var key = PayLinkKey.Derive(Hash);
        Assert.True(PayLinkKey.Matches(Hash, key));
        Assert.False(PayLinkKey.Matches(Hash, (key[0] == 'a' ? "b" : "a") + key[1..]));
        Assert.False(PayLinkKey.Matches(null, key));
        Assert.False(PayLinkKey.Matches(Hash, Hash[..12]));
    }
}
