using KioskPos.Core.Text;

namespace KioskPos.Core.Tests;

/// <summary>The one rule for addresses the system calls or sends people to (<see cref="WebAddress"/>), against .NET's own URI parser.</summary>
public class WebAddressTests
{
    [Theory]
    [InlineData("https://thanhtoan.dongthap.gov.vn/")]
    [InlineData("https://api-merchant.payos.vn")]
    [InlineData("http://127.0.0.1:5080/")]
    [InlineData("http://[::1]:8080/province/")]
    [InlineData("  https://tinh.example.vn/  ")]
    public void An_absolute_http_or_https_address_is_taken(string text)
    {
        Assert.True(WebAddress.TryParse(text, out var address));
        Assert.True(address!.IsAbsoluteUri);
        Assert.Contains(address.Scheme, new[] { "http", "https" });
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("tinh.example.vn")] // no scheme
    [InlineData("/api/v1/sync")] // relative
    [InlineData("ftp://tinh.example.vn/")]
    [InlineData("file:///etc/passwd")]
    [InlineData("javascript:alert(1)")]
    [InlineData("https://admin:matkhau@tinh.example.vn/")] // credentials would sit in settings and logs
    [InlineData("https://tinh.example.vn/?token=abc")] // paths are appended to it
    [InlineData("https://tinh.example.vn/#top")]
    public void Anything_else_is_refused(string? text)
    {
        Assert.False(WebAddress.TryParse(text, out var address));
        Assert.Null(address);
        Assert.False(WebAddress.IsValid(text));
    }

    [Fact]
    public void An_address_longer_than_the_bound_is_refused()
    {
        var longest = "https://tinh.example.vn/" + new string('a', WebAddress.MaxLength - "https://tinh.example.vn/".Length);
        Assert.True(WebAddress.IsValid(longest));
        Assert.False(WebAddress.IsValid(longest + "a"));
    }
}
