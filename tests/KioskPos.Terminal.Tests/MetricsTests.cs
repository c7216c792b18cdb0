using System.Net;
using System.Text.RegularExpressions;

namespace KioskPos.Terminal.Tests;

/// <summary>/metrics in the Prometheus text format, from a terminal that took a card payment.</summary>
public class MetricsTests
{
    [Fact]
    public async Task Metrics_count_payments_taps_the_queue_the_printer_and_latencies_without_personal_data()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        await terminal.TapAsync("04A1B2C3");
        using (var paid = await terminal.PayAsync("04A1B2C3", "HP-2611-HS240001"))
        {
            Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
        }

        await Wait.UntilDrainedAsync(terminal.Http, TimeSpan.FromSeconds(20));
        GC.Collect(); // the heap's figures are the last collection's: none yet when this test runs first, alone
        using var response = await terminal.Http.GetAsync("/metrics");
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        double Value(string series) =>
            double.Parse(Regex.Match(text, "^" + Regex.Escape(series) + " ([0-9.e+-]+)$", RegexOptions.Multiline) is { Success: true } m ? m.Groups[1].Value : throw new Xunit.Sdk.XunitException($"no {series} in:\n{text}"),
                System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(1, Value("kioskpos_payments{method=\"card_balance\",state=\"completed\"}"));
        Assert.Equal(150_000, Value("kioskpos_payments_dong{method=\"card_balance\",state=\"completed\"}"));
        Assert.Equal(1, Value("kioskpos_card_taps_total"));
        Assert.Equal(0, Value("kioskpos_sync_queue_entries"));
        Assert.Equal(0, Value("kioskpos_sync_queue_oldest_age_seconds"));
        Assert.Equal((1, 0), (Value("kioskpos_printer_state{state=\"ready\"}"), Value("kioskpos_printer_state{state=\"paper_out\"}")));
        Assert.True(Value("kioskpos_http_request_duration_seconds_count{method=\"POST\",route=\"/api/v1/payments\"}") >= 1);
        Assert.True(Value("kioskpos_http_request_duration_seconds_bucket{method=\"POST\",route=\"/api/v1/payments\",le=\"+Inf\"}") >= 1);
        // What the process holds: the GC's heap, what it committed for it and the free space inside it (issue #26).
        Assert.InRange(Value("kioskpos_gc_heap_bytes"), 1, Value("kioskpos_gc_committed_bytes"));
        Assert.InRange(Value("kioskpos_gc_fragmented_bytes"), 0, Value("kioskpos_gc_heap_bytes"));
        Assert.Equal(System.Runtime.GCSettings.IsServerGC ? 1 : 0, Value("kioskpos_gc_server"));
        // And outside it: SQLite's allocations (a database is open) are malloc's, so the C heap in use holds at least them.
        Assert.InRange(Value("kioskpos_sqlite_memory_bytes"), 1, Value("kioskpos_native_heap_bytes{state=\"in_use\"}"));
        Assert.True(Value("kioskpos_native_heap_bytes{state=\"free_held\"}") >= 0);
        Assert.True(Value("kioskpos_process_threads") >= 2);

        // Every line is a comment or "series value"; nothing names a card, a payer or a payment.
        Assert.All(text.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.Matches("^(# (HELP|TYPE) .+|[a-z_]+(\\{[^}]*\\})? [0-9.e+-]+)$", line));
        Assert.DoesNotContain("04A1B2C3", text, StringComparison.Ordinal);
        Assert.DoesNotContain("HS240001", text, StringComparison.Ordinal);
        Assert.DoesNotContain("KP-THCS-ND-01-", text, StringComparison.Ordinal);

        // Out of paper, the state moves.
        using (await terminal.Http.PostAsync("/dev/printer", new StringContent("{\"paperOut\":true}", System.Text.Encoding.UTF8, "application/json")))
        {
        }

        await Wait.UntilAsync(async () => (await terminal.Http.GetStringAsync("/metrics")).Contains("kioskpos_printer_state{state=\"paper_out\"} 1", StringComparison.Ordinal),
            TimeSpan.FromSeconds(15), "the printer's paper-out in /metrics");
    }
}
