using BenchmarkDotNet.Attributes;
using KioskPos.Core.Domain;
using KioskPos.Core.VietQr;
using KioskPos.Shared.Contracts;
using KioskPos.Storage;
using KioskPos.Shared.Sqlite;
using Microsoft.Data.Sqlite;
using QRCoder;

namespace KioskPos.Benchmarks;

/// <summary>
/// Creating a VietQR payment: the payload, its SVG and the journal commit (synchronous=FULL), against QRCoder's own
/// generation of the same payload as an SVG, measured in the same run. Median and p99 are in the table.
/// </summary>
[MemoryDiagnoser]
public class VietQrBenchmarks
{
    private static readonly string s_payload = VietQrBuilder.Build(new VietQrPayload(true, "970436", "1023456789", Amount: 150_000, MerchantName: "TRUONG THCS NGUYEN DU",
        Additional: new(BillNumber: "HS000001", TerminalLabel: "KP-BENCH-01", Purpose: TransferCode.Create(1, 1).Value)));
    private string _folder = string.Empty;
    private SqliteDatabase _terminal = null!;
    private PaymentStore _payments = null!;
    private int _next;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _folder = Directory.CreateTempSubdirectory("kioskpos-bench-qr-").FullName;
        _terminal = TerminalSchema.Open(Path.Combine(_folder, "terminal.db"));
        await _terminal.MigrateAsync();
        var accounts = Enumerable.Range(0, 200).Select(i => new AccountDto($"HS{i:D6}", "pupil", "Nguyễn Minh Anh", "6A", 0, false, [], i + 1)).ToList();
        var bills = accounts.Select((a, i) => new BillDto($"B{i:D6}", a.Code, "hoc_phi", "Học phí", null, 750_000, 0, [], 1000 + i)).ToList();
        await new CatalogueStore(_terminal).ApplyPullAsync(new PullResponse("bench.1", true, false,
            new InstitutionDto("I", "Trường THCS Nguyễn Du", "lower_secondary", "Mỹ Tho", "970436", "1023456789", "TRUONG THCS NGUYEN DU", "Vietcombank"),
            accounts, bills, DateTimeOffset.UtcNow, QrTag: 1));
        _payments = new PaymentStore(_terminal, "KP-BENCH-01", TimeProvider.System);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "QRCoder: same payload to SVG")]
    public string QrCoderSvg()
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(s_payload, QRCodeGenerator.ECCLevel.M);
        return new SvgQRCode(data).GetGraphic(10);
    }

    [Benchmark(Description = "VietQR payment: payload + SVG + journal commit")]
    public async Task<string> CreateQrPaymentAsync()
    {
        // A new bill each time (a pending QR does not close its bill, but keep the work the same every call).
        var account = $"HS{_next++ % 200:D6}";
        var result = await _payments.CreateAsync(new CreatePaymentCommand(null, account, null, PaymentMethod.VietQr, [new($"B{account[2..]}", 150_000)], null));
        return QrImages.Svg(result.Payment.Qr!.Payload);
    }

    [Benchmark(Description = "payload build + parse (no I/O)")]
    public VietQrPayload BuildAndParse() =>
        VietQrParser.Parse(VietQrBuilder.Build(new VietQrPayload(true, "970436", "1023456789", Amount: 750_000, MerchantName: "Trường THCS Nguyễn Du", Additional: new(Purpose: "KP2AB22227QN"))));
}
