using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using KioskPos.Benchmarks;

// make bench: every benchmark with its ratio to the baseline measured in the same run. A short job keeps the
// whole run to a few minutes on 2 cores; pass BenchmarkDotNet arguments through BENCH_ARGS for longer runs.
// `drain [N]` runs the end-to-end drain of N queued entries (default 100,000) instead; `ingest` the province
// server's ingest from 200 concurrent signed terminals; `receipt` an 80 mm receipt's render+encode against the npm
// receipt-printer-encoder in the same run; `readers` the card reader's tap latency and idle polling CPU; `kiosk` the
// parents' kiosk in Chromium: tap to fees painted, and each screen's weight; `loadtest [terminals] [batches] [size] [institutions] [pace]`
// a province's terminals pushing and pulling at once on PostgreSQL, against SQLite in the same run (make loadtest);
// `report [N]` the plan report over a year of N payments (default 5,000,000) against summing the payments directly;
// `aot [N]` the terminal's native AOT build against the JIT: start to /health, memory after N payments (1,000);
// `xml [N]` the Ministry of Health XML import of N episodes (5,000) and `xlsx [N]` a school .xlsx of N pupils (20,000),
// each against a bare parse of the same file; `statement [N]` an N-line Vietcombank statement (10,000) matched
// against open payments, against a bare read of the file; `panel [clock Hz] [payments]` the QR on the emulated SPI
// panel after a payment is created and the countdown's partial update, against a full frame on the bus;
// `payments [N] [every]` the native AOT terminal's online card payment against a VietQR payment in the same run
// (p50/p95/p99), and its resident memory every `every` payments up to N (20,000; every 1,000).
int IntArg(int i, int fallback) => args.Length > i ? int.Parse(args[i], System.Globalization.CultureInfo.InvariantCulture) : fallback;
if (args is ["xml", ..])
{
    return await ImportBenchmark.XmlAsync(IntArg(1, 5_000));
}

if (args is ["xlsx", ..])
{
    return await ImportBenchmark.XlsxAsync(IntArg(1, 20_000));
}

if (args is ["statement", ..])
{
    return await StatementBenchmark.RunAsync(IntArg(1, 10_000));
}

if (args is ["panel", ..])
{
    return PanelBenchmark.Run(IntArg(1, KioskPos.Firmware.Display.DisplaySpec.DefaultClockHz), IntArg(2, 30));
}

if (args is ["drain", ..])
{
    return await DrainBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000);
}

if (args is ["receipt", ..])
{
    return await ReceiptBenchmark.RunAsync();
}

if (args is ["kiosk", ..])
{
    return await KioskBenchmark.RunAsync();
}

if (args is ["readers", ..])
{
    return await ReaderBenchmark.RunAsync();
}

if (args is ["loadtest", ..])
{
    int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    return await LoadTest.RunAsync(terminals: Arg(1, 1000), batches: Arg(2, 4), batchSize: Arg(3, 50), institutions: Arg(4, 1),
        pace: args.Length > 5 ? double.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture) : 0);
}

if (args is ["report", ..])
{
    return await ReportBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5_000_000);
}

if (args is ["payments", ..])
{
    return await PaymentBenchmark.RunAsync(IntArg(1, 20_000), IntArg(2, 1_000));
}

if (args is ["aot", ..])
{
    return await AotBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1000);
}

if (args is ["ingest", ..])
{
    return await IngestBenchmark.RunAsync(terminals: 200, batches: 5, batchSize: 50);
}

// BenchmarkDotNet builds a project of its own for the job; on a loaded 2-core machine that build once passed its
// default 2-minute limit, and the run then measured nothing and still ended well: the limit is 10 minutes, and a run
// in which any benchmark has no result fails (make bench stops), so that it is never mistaken for a pass.
var config = DefaultConfig.Instance
    .AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(15).WithInvocationCount(64).WithUnrollFactor(1))
    .AddColumn(StatisticColumn.Median, StatisticColumn.P95, new P99Column(), StatisticColumn.Max, StatisticColumn.OperationsPerSecond)
    .WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared))
    .WithBuildTimeout(TimeSpan.FromMinutes(10));
var summaries = BenchmarkSwitcher.FromAssembly(typeof(JournalAppendBenchmarks).Assembly).Run(args.Length == 0 ? ["--filter", "*"] : args, config).ToList();
var unmeasured = summaries.SelectMany(s => s.BenchmarksCases.Where(c => s[c] is not { Success: true, ResultStatistics: not null })).Select(c => c.DisplayInfo).ToList();
if (summaries.Count == 0 || unmeasured.Count > 0)
{
    Console.Error.WriteLine($"FAIL: {unmeasured.Count} benchmark(s) measured nothing: {string.Join("; ", unmeasured)}");
    return 1;
}

return 0;
