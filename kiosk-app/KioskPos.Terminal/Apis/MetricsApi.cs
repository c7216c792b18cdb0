using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dapper;
using KioskPos.Storage;
using KioskPos.Shared.Sqlite;
using KioskPos.Terminal.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KioskPos.Terminal.Apis;

/// <summary>
/// Request latencies per route, kept in memory as Prometheus histograms (cumulative buckets, sum, count).
/// </summary>
internal sealed class RequestLatencies
{
    private static readonly double[] s_bounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private readonly ConcurrentDictionary<(string Method, string Route), Histogram> _routes = new();

    public void Record(string method, string route, double seconds) => _routes.GetOrAdd((method, route), _ => new Histogram()).Add(seconds);

    public void Write(StringBuilder text)
    {
        text.Append("# HELP kioskpos_http_request_duration_seconds Time to answer a request, by method and route.\n");
        text.Append("# TYPE kioskpos_http_request_duration_seconds histogram\n");
        foreach (var ((method, route), histogram) in _routes.OrderBy(r => r.Key.Route, StringComparer.Ordinal).ThenBy(r => r.Key.Method, StringComparer.Ordinal))
        {
            var (buckets, count, sum) = histogram.Snapshot();
            var labels = $"method=\"{method}\",route=\"{MetricsApi.Escape(route)}\"";
            for (var i = 0; i < s_bounds.Length; i++)
            {
                text.Append(CultureInfo.InvariantCulture, $"kioskpos_http_request_duration_seconds_bucket{{{labels},le=\"{s_bounds[i]}\"}} {buckets[i]}\n");
            }

            text.Append(CultureInfo.InvariantCulture, $"kioskpos_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {count}\n");
            text.Append(CultureInfo.InvariantCulture, $"kioskpos_http_request_duration_seconds_sum{{{labels}}} {sum}\n");
            text.Append(CultureInfo.InvariantCulture, $"kioskpos_http_request_duration_seconds_count{{{labels}}} {count}\n");
        }
    }

    private sealed class Histogram
    {
        private readonly Lock _gate = new();
        private readonly long[] _buckets = new long[s_bounds.Length];
        private long _count;
        private double _sum;

        public void Add(double seconds)
        {
            lock (_gate)
            {
                for (var i = 0; i < s_bounds.Length; i++)
                {
                    if (seconds <= s_bounds[i])
                    {
                        _buckets[i]++;
                    }
                }

                _count++;
                _sum += seconds;
            }
        }

        public (long[] Buckets, long Count, double Sum) Snapshot()
        {
            lock (_gate)
            {
                return ((long[])_buckets.Clone(), _count, _sum);
            }
        }
    }
}

/// <summary>
/// <c>/metrics</c> in the Prometheus text format: payments by method and state (counts and đồng), the sync queue's
/// depth and age, the printer's state, card taps, request latencies. Counts only: no payer, no card, no amount of
/// any one payment. Like <c>/health</c>, it needs no sign-in (the terminal listens on the LAN at most).
/// </summary>
internal static class MetricsApi
{
    public static IApplicationBuilder UseRequestLatencies(this IApplicationBuilder app)
    {
        var latencies = app.ApplicationServices.GetRequiredService<RequestLatencies>();
        var activity = app.ApplicationServices.GetRequiredService<TerminalActivity>();
        return app.Use(async (http, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            var doesSomething = !(HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) || HttpMethods.IsOptions(http.Request.Method));
            if (doesSomething)
            {
                activity.Touch();
            }

            try
            {
                await next(http).ConfigureAwait(false);
            }
            finally
            {
                if (doesSomething)
                {
                    activity.Touch();
                }

                // The route's pattern, not the path: /api/v1/payments/{id}, never a payment's id.
                var route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
                latencies.Record(MethodLabel(http.Request.Method), route, Stopwatch.GetElapsedTime(started).TotalSeconds);
            }
        });
    }

    /// <summary>The method as a label: one of the known ones, else "other" (a client chooses it, and each label value is a series kept for good).</summary>
    internal static string MethodLabel(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsDelete(method) || HttpMethods.IsPatch(method)
            || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)
            ? HttpMethods.GetCanonicalizedValue(method)
            : "other";

    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder app)
    {
        // Prometheus text, for the scraper: not in the OpenAPI document.
        app.MapGet("/metrics", GetMetricsAsync).ExcludeFromDescription().Public();
        return app;
    }

    private static async Task<ContentHttpResult> GetMetricsAsync(HttpContext http, SqliteDatabase database, OutboxStore outbox, PrintQueue printQueue, CardPresence presence, RequestLatencies latencies, TimeProvider time)
    {
        var text = new StringBuilder(4096);
        text.Append("# HELP kioskpos_payments Payments journalled on this terminal, by method and state.\n# TYPE kioskpos_payments gauge\n");
        var amounts = new StringBuilder("# HELP kioskpos_payments_dong The value of those payments in whole dong.\n# TYPE kioskpos_payments_dong gauge\n");
        await using (var connection = await database.OpenAsync(http.RequestAborted).ConfigureAwait(false))
        {
            var groups = await connection.QueryAsync<PaymentGroupRow>(
                "SELECT method, state, COUNT(*) AS payments, COALESCE(SUM(amount), 0) AS amount FROM payments GROUP BY method, state ORDER BY method, state").ConfigureAwait(false);
            foreach (var group in groups)
            {
                var labels = $"method=\"{Escape(group.Method)}\",state=\"{Escape(group.State)}\"";
                text.Append(CultureInfo.InvariantCulture, $"kioskpos_payments{{{labels}}} {group.Payments}\n");
                amounts.Append(CultureInfo.InvariantCulture, $"kioskpos_payments_dong{{{labels}}} {group.Amount}\n");
            }
        }

        text.Append(amounts);
        var sync = await outbox.GetStatusAsync(http.RequestAborted).ConfigureAwait(false);
        var age = sync.OldestQueuedAt is { } oldest ? Math.Max(0, (time.GetUtcNow() - oldest).TotalSeconds) : 0;
        text.Append(CultureInfo.InvariantCulture, $"# HELP kioskpos_sync_queue_entries Journal entries not yet acknowledged by the province server.\n# TYPE kioskpos_sync_queue_entries gauge\nkioskpos_sync_queue_entries {sync.Queued}\n");
        text.Append(CultureInfo.InvariantCulture, $"# HELP kioskpos_sync_queue_oldest_age_seconds Age of the oldest unacknowledged entry (0 when none).\n# TYPE kioskpos_sync_queue_oldest_age_seconds gauge\nkioskpos_sync_queue_oldest_age_seconds {age:0.###}\n");
        if (sync.LastSuccessAt is { } last)
        {
            text.Append(CultureInfo.InvariantCulture, $"# HELP kioskpos_sync_last_success_timestamp_seconds When a sync round last succeeded (Unix time).\n# TYPE kioskpos_sync_last_success_timestamp_seconds gauge\nkioskpos_sync_last_success_timestamp_seconds {last.ToUnixTimeSeconds()}\n");
        }

        var printer = printQueue.State.State;
        text.Append("# HELP kioskpos_printer_state The printer's state: 1 for the current one.\n# TYPE kioskpos_printer_state gauge\n");
        foreach (var state in new[] { "ready", "paper_out", "cover_open", "cutter_error", "head_hot", "error", "offline", "unknown" }.Append(printer).Distinct())
        {
            text.Append(CultureInfo.InvariantCulture, $"kioskpos_printer_state{{state=\"{Escape(state)}\"}} {(state == printer ? 1 : 0)}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"# HELP kioskpos_card_taps_total Cards read since the program started.\n# TYPE kioskpos_card_taps_total counter\nkioskpos_card_taps_total {presence.Taps}\n");
        text.Append(CultureInfo.InvariantCulture, $"# HELP kioskpos_province_answers_unverified_total Answers from the province's address refused because they did not verify with its key.\n# TYPE kioskpos_province_answers_unverified_total counter\nkioskpos_province_answers_unverified_total {http.RequestServices.GetRequiredService<KioskPos.Sync.ProvinceTrust>().Unverified}\n");
        text.Append(CultureInfo.InvariantCulture, $"# HELP kioskpos_payer_lookup_overflow_refusals_total Anonymous payer look-ups refused because the budget shared by the sources past Terminal:PayerLookupMaxSources was used up.\n# TYPE kioskpos_payer_lookup_overflow_refusals_total counter\nkioskpos_payer_lookup_overflow_refusals_total {http.RequestServices.GetRequiredService<PayerLookupBudget>().OverflowRefusals}\n");
        WriteLaneAndMemory(text, database.Lane.Counters);
        text.Append(CultureInfo.InvariantCulture, $"# HELP kioskpos_memory_settles_total Quiet spells in which the terminal gave back the memory its busy spell used (a full collection, the C heap trimmed).\n# TYPE kioskpos_memory_settles_total counter\nkioskpos_memory_settles_total {http.RequestServices.GetRequiredService<MemoryTrimmer>().Settles}\n");
        latencies.Write(text);
        return TypedResults.Text(text.ToString(), "text/plain; version=0.0.4; charset=utf-8");
    }

    /// <summary>The database's writer lane (writes, waits behind another writer, busy locks met) and what the process holds in memory.</summary>
    private static void WriteLaneAndMemory(StringBuilder text, KioskPos.Shared.Sqlite.SqliteWriteLaneCounters lane)
    {
        text.Append(CultureInfo.InvariantCulture, $"# HELP kioskpos_db_writes_total Write connections let through the database's writer lane.\n# TYPE kioskpos_db_writes_total counter\nkioskpos_db_writes_total {lane.Writes}\n");
        text.Append(CultureInfo.InvariantCulture, $"# HELP kioskpos_db_write_waits_total Writes that waited in the lane for the writer before them.\n# TYPE kioskpos_db_write_waits_total counter\nkioskpos_db_write_waits_total {lane.Waits}\n");
        text.Append(CultureInfo.InvariantCulture, $"# HELP kioskpos_db_write_busy_total Writes that found SQLite's write lock held outside the lane (0 expected).\n# TYPE kioskpos_db_write_busy_total counter\nkioskpos_db_write_busy_total {lane.BusySeen}\n");
        var gc = GC.GetGCMemoryInfo();
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        text.Append(CultureInfo.InvariantCulture, $"# HELP kioskpos_process_resident_bytes Resident memory of the process.\n# TYPE kioskpos_process_resident_bytes gauge\nkioskpos_process_resident_bytes {process.WorkingSet64}\n");
        text.Append(CultureInfo.InvariantCulture, $"# HELP kioskpos_gc_heap_bytes The managed heap after the last collection.\n# TYPE kioskpos_gc_heap_bytes gauge\nkioskpos_gc_heap_bytes {gc.HeapSizeBytes}\n");
        text.Append(CultureInfo.InvariantCulture, $"# HELP kioskpos_gc_committed_bytes Memory the GC has committed.\n# TYPE kioskpos_gc_committed_bytes gauge\nkioskpos_gc_committed_bytes {gc.TotalCommittedBytes}\n");
        text.Append(CultureInfo.InvariantCulture, $"# HELP kioskpos_gc_fragmented_bytes Free space inside the managed heap after the last collection.\n# TYPE kioskpos_gc_fragmented_bytes gauge\nkioskpos_gc_fragmented_bytes {gc.FragmentedBytes}\n");
        text.Append(CultureInfo.InvariantCulture, $"# HELP kioskpos_gc_server 1 when the server GC (a heap per core) runs, 0 for the workstation GC.\n# TYPE kioskpos_gc_server gauge\nkioskpos_gc_server {(System.Runtime.GCSettings.IsServerGC ? 1 : 0)}\n");
        // Outside the GC: SQLite's own allocator count (page caches, schemas, statements), and malloc's as a whole.
        text.Append(CultureInfo.InvariantCulture, $"# HELP kioskpos_sqlite_memory_bytes Memory SQLite has allocated and not freed (sqlite3_memory_used).\n# TYPE kioskpos_sqlite_memory_bytes gauge\nkioskpos_sqlite_memory_bytes {SQLitePCL.raw.sqlite3_memory_used()}\n");
        if (NativeHeap.Usage() is var (inUse, freeHeld))
        {
            text.Append(CultureInfo.InvariantCulture, $"# HELP kioskpos_native_heap_bytes The C heap (glibc malloc): bytes allocated and not freed, and bytes freed but held.\n# TYPE kioskpos_native_heap_bytes gauge\nkioskpos_native_heap_bytes{{state=\"in_use\"}} {inUse}\nkioskpos_native_heap_bytes{{state=\"free_held\"}} {freeHeld}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"# HELP kioskpos_process_threads Threads of the process.\n# TYPE kioskpos_process_threads gauge\nkioskpos_process_threads {process.Threads.Count}\n");
        text.Append("# HELP kioskpos_gc_collections_total Garbage collections by generation.\n# TYPE kioskpos_gc_collections_total counter\n");
        for (var generation = 0; generation <= 2; generation++)
        {
            text.Append(CultureInfo.InvariantCulture, $"kioskpos_gc_collections_total{{generation=\"{generation}\"}} {GC.CollectionCount(generation)}\n");
        }
    }

    internal static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}

/// <summary>Payments of one method in one state: how many, and their value in đồng.</summary>
internal sealed record PaymentGroupRow(string Method, string State, long Payments, long Amount);
