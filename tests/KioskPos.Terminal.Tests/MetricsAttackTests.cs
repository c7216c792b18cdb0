using System.Text.RegularExpressions;

namespace KioskPos.Terminal.Tests;

/// <summary>Attacks on the terminal's /metrics (issue 18): label values a client chooses.</summary>
public class MetricsAttackTests
{
    [Fact]
    [Trait("Category", "Attack")]
    [Attack("send 50 requests, each with a made-up HTTP method, to grow /metrics by one series each",
        "the method label is one of the known methods or \"other\": made-up methods add no series")]
    public async Task Made_up_http_methods_do_not_add_metrics_series()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        for (var i = 0; i < 50; i++)
        {
            using var request = new HttpRequestMessage(new HttpMethod($"X{i:D3}GUESS"), "/api/v1/status");
            using (await terminal.Http.SendAsync(request))
            {
            }
        }

        var text = await terminal.Http.GetStringAsync("/metrics");
        var methods = Regex.Matches(text, "kioskpos_http_request_duration_seconds_count\\{method=\"([^\"]*)\"").Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("other", methods);
        Assert.DoesNotContain(methods, m => m.Contains("GUESS", StringComparison.Ordinal));
        Assert.Subset(new HashSet<string>(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "other"], StringComparer.Ordinal), methods);
        AttackReport.Measured(this, $"50 made-up methods: method label values {string.Join(", ", methods.Order(StringComparer.Ordinal))}");
    }
}
