using System.Text.Json;
using KioskPos.Core.Text;
using Xunit;

namespace KioskPos.Core.Tests;

public class MessagesTests
{
    [Fact]
    public void Catalogue_loads_every_embedded_file_with_both_languages()
    {
        Assert.NotEmpty(Messages.All);
        Assert.All(Messages.All.Values, m =>
        {
            Assert.False(string.IsNullOrWhiteSpace(m.Vi), m.Key);
            Assert.False(string.IsNullOrWhiteSpace(m.En), m.Key);
        });
        Assert.Equal("Thanh toán không dùng tiền mặt", Messages.Vi("common.cashless"));
        Assert.Equal("Cashless payment", Messages.Get("common.cashless").In(Language.En));
    }

    [Fact]
    public void Unknown_key_is_an_error_not_an_empty_text() =>
        Assert.Throws<KeyNotFoundException>(() => Messages.Vi("no.such.key"));

    [Fact]
    public void Json_for_pages_holds_only_the_asked_prefixes()
    {
        using var document = JsonDocument.Parse(Messages.ToJson("common."));
        var keys = document.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("common.cashless", keys);
        Assert.All(keys, k => Assert.StartsWith("common.", k));
        Assert.Equal("Cashless payment", document.RootElement.GetProperty("common.cashless").GetProperty("en").GetString());
    }
}
