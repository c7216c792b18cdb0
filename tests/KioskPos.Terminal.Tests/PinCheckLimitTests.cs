using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// The PIN checks' limit (<c>Staff:PinChecksPerMinute</c>) is kept per source as <see cref="KioskPos.Shared.Security.SourceAddress"/>
/// makes it: an IPv6 client counts for its /64, so rotating its addresses gains it no guesses; an IPv4 address reaching a
/// dual-stack socket IPv4-mapped is the same source as over IPv4. Kestrel here listens on 127.0.0.1, and no IPv6 address
/// but <c>::1</c> can be bound: the terminal is told each request's remote address by a test-only header
/// (<see cref="RemoteAddressFromHeader"/>), read before its own pipeline, so the real limiter meets the addresses.
/// </summary>
public sealed class PinCheckLimitTests
{
    private const int Limit = 3;

    private static async Task<HttpStatusCode> SignInAsync(TerminalHost terminal, string address, int attempt)
    {
        using var client = RemoteAddressFromHeader.Client(terminal.Http.BaseAddress!, address);
        using var response = await client.PostAsJsonAsync("/api/v1/sessions", new { staffId = $"x{attempt:D3}", pin = "123456" });
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            Assert.True(response.Headers.RetryAfter is not null, "Retry-After");
            Assert.Equal("too_many_pin_checks", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        }

        return response.StatusCode;
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("guess PINs from a new IPv6 address inside one /64 for every guess (a host holds its whole /64)",
        "429 too_many_pin_checks once the /64 has used one source's PIN checks; another /64 has its own")]
    public async Task Pin_checks_from_rotating_ipv6_addresses_inside_one_64_share_one_limit()
    {
        const int Guesses = 10;
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province, extraArgs: [$"--Staff:PinChecksPerMinute={Limit}"], configureFirst: RemoteAddressFromHeader.AddTo);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < Guesses; i++)
        {
            statuses.Add(await SignInAsync(terminal, $"2001:db8:7:8:{i + 1:x}:{i * 257:x}::{i + 9:x}", i));
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, Limit), .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, Guesses - Limit)], statuses);
        Assert.Equal(HttpStatusCode.Unauthorized, await SignInAsync(terminal, "2001:db8:7:9::1", Guesses));
        AttackReport.Measured(this, $"{Limit} PIN checks a minute: {Guesses} guesses from {Guesses} addresses in 2001:db8:7:8::/64 got {Limit} answers and {Guesses - Limit} x 429; 2001:db8:7:9::1 answered");
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("guess PINs from more addresses than the limit keeps budgets for (cap set to 3 sources, limit to 2 checks a minute)",
        "the addresses past the cap share one budget: 429 too_many_pin_checks once it is used up, saying many devices are checking PINs; the first 3 keep their own, and the kiosk's browser its own")]
    public async Task Pin_checks_from_more_sources_than_the_cap_share_one_budget()
    {
        const int Cap = 3;
        const int PerSource = 2;
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province,
            extraArgs: [$"--Staff:PinChecksPerMinute={PerSource}", $"--Staff:PinCheckMaxSources={Cap}"], configureFirst: RemoteAddressFromHeader.AddTo);

        // One guess from each of 6 addresses: 3 take the places, the next 2 use up the shared budget, the sixth is refused.
        var statuses = new List<HttpStatusCode>();
        for (var i = 1; i <= 6; i++)
        {
            statuses.Add(await SignInAsync(terminal, $"2001:db8:{i:x}:1::1", i));
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, Cap + PerSource), HttpStatusCode.TooManyRequests], statuses);
        using (var client = RemoteAddressFromHeader.Client(terminal.Http.BaseAddress!, "192.0.2.77"))
        using (var refused = await client.PostAsJsonAsync("/api/v1/sessions", new { staffId = "x100", pin = "123456" }))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(KioskPos.Core.Text.Messages.Vi("terminal.problem.too_many_pin_checks.overflow"), problem.GetProperty("title").GetString());
            Assert.DoesNotContain("this address", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        // The first address still has its own second check; the kiosk's browser (127.0.0.1, no header) its own.
        Assert.Equal(HttpStatusCode.Unauthorized, await SignInAsync(terminal, "2001:db8:1:1::2", 7));
        using (var kiosk = new HttpClient { BaseAddress = terminal.Http.BaseAddress })
        using (var answer = await kiosk.PostAsJsonAsync("/api/v1/sessions", new { staffId = "x101", pin = "123456" }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        }

        AttackReport.Measured(this, $"{PerSource} PIN checks a minute, {Cap} sources: 6 addresses guessing once each got {Cap + PerSource} answers and a 429; a seventh address 429, the first address's second guess answered");
    }

    [Fact]
    public async Task An_ipv4_mapped_address_is_its_ipv4_addresses_source()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province, extraArgs: [$"--Staff:PinChecksPerMinute={Limit}"], configureFirst: RemoteAddressFromHeader.AddTo);

        for (var i = 0; i < Limit; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await SignInAsync(terminal, i % 2 == 0 ? "::ffff:192.0.2.9" : "192.0.2.9", i));
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await SignInAsync(terminal, "192.0.2.9", Limit));
        Assert.Equal(HttpStatusCode.TooManyRequests, await SignInAsync(terminal, "::ffff:192.0.2.9", Limit + 1));
        Assert.Equal(HttpStatusCode.Unauthorized, await SignInAsync(terminal, "192.0.2.10", Limit + 2));
    }
}
