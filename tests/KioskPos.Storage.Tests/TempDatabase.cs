using KioskPos.Shared.Contracts;
using KioskPos.Shared.Sqlite;

namespace KioskPos.Storage.Tests;

/// <summary>A terminal database in a fresh temporary folder, deleted afterwards.</summary>
public sealed class TempDatabase : IAsyncDisposable
{
    public TempDatabase()
    {
        Folder = Directory.CreateTempSubdirectory("kioskpos-storage-").FullName;
        Database = TerminalSchema.Open(Path.Combine(Folder, "terminal.db"));
        Time = new ManualTime(new DateTimeOffset(2026, 11, 23, 2, 0, 0, TimeSpan.Zero));
        Payments = new PaymentStore(Database, "KP-T-01", Time);
        Catalogue = new CatalogueStore(Database);
        Outbox = new OutboxStore(Database, Time);
    }

    public string Folder { get; }

    public SqliteDatabase Database { get; }

    public ManualTime Time { get; }

    public PaymentStore Payments { get; }

    public CatalogueStore Catalogue { get; }

    public OutboxStore Outbox { get; }

    /// <summary>Migrates and loads one institution, two pupils with cards, and their bills.</summary>
    public async Task<TempDatabase> SeedAsync()
    {
        await Database.MigrateAsync();
        await Catalogue.ApplyPullAsync(new PullResponse(
            "e.10", Full: true, HasMore: false,
            new InstitutionDto("I1", "Trường THCS Nguyễn Du", "lower_secondary", "Mỹ Tho", "970436", "1023456789", "TRUONG THCS NGUYEN DU", "Vietcombank"),
            [
                new AccountDto("HS1", "pupil", "Nguyễn Minh Anh", "6A", 500_000, false, ["04A1B2C3"], 1),
                new AccountDto("HS2", "pupil", "Trần Thị Bảo Ngọc", "6A", 100_000, false, ["04D4E5F6"], 2),
            ],
            [
                new BillDto("B1", "HS1", "hoc_phi", "Học phí tháng 11/2026", new DateOnly(2026, 11, 30), 150_000, 0, [new BillLineDto("Học phí", 1, 150_000, 150_000)], 3),
                new BillDto("B2", "HS1", "ban_tru", "Bán trú tháng 11/2026", new DateOnly(2026, 11, 30), 600_000, 0, [new BillLineDto("Tiền ăn", 20, 25_000, 500_000), new BillLineDto("Phục vụ", 1, 100_000, 100_000)], 4),
                new BillDto("B3", "HS2", "hoc_phi", "Học phí tháng 11/2026", new DateOnly(2026, 11, 30), 150_000, 0, [], 5),
            ],
            DateTimeOffset.UnixEpoch,
            QrTag: 7));
        return this;
    }

    public async ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await Task.Yield();
        Directory.Delete(Folder, recursive: true);
    }
}

/// <summary>A clock the test moves.</summary>
public sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
