using Microsoft.Data.Sqlite;

namespace KioskPos.Storage.Tests;

/// <summary>Staff PINs, the lockout and sessions on a real SQLite file.</summary>
public class StaffStoreTests
{
    [Fact]
    public async Task A_pin_is_stored_only_as_a_salted_hash_and_checked()
    {
        await using var temp = await new TempDatabase().SeedAsync();
        var staff = new StaffStore(temp.Database, temp.Time);
        await staff.AddOrUpdateAsync("tn01", "Lê Thu Ngân", StaffRole.Cashier, "246813");
        await staff.AddOrUpdateAsync("tn02", "Phạm Văn Ba", StaffRole.Cashier, "246813");

        var ok = await staff.CheckPinAsync("tn01", "246813");
        Assert.Equal(new StaffMember("tn01", "Lê Thu Ngân", StaffRole.Cashier), ok.Member);
        await using var connection = new SqliteConnection($"Data Source={temp.Database.Path};Pooling=False");
        await connection.OpenAsync();
        await using var command = new SqliteCommand("SELECT pin_hash FROM staff ORDER BY id", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var hashes = new List<string>();
        while (await reader.ReadAsync())
        {
            hashes.Add(reader.GetString(0));
        }

        Assert.All(hashes, h => Assert.DoesNotContain("246813", h, StringComparison.Ordinal));
        Assert.All(hashes, h => Assert.StartsWith("pbkdf2-sha256$", h, StringComparison.Ordinal));
        Assert.NotEqual(hashes[0], hashes[1]); // same PIN, own salt
        await Assert.ThrowsAsync<ArgumentException>(() => staff.AddOrUpdateAsync("tn03", "X", StaffRole.Cashier, "12a4"));
        await Assert.ThrowsAsync<ArgumentException>(() => staff.AddOrUpdateAsync("gs03", "X", StaffRole.Supervisor, "12345")); // 6 digits at least
    }

    [Fact]
    public async Task An_unknown_id_counts_down_and_locks_exactly_as_a_known_one_with_a_wrong_pin()
    {
        await using var temp = await new TempDatabase().SeedAsync();
        var staff = new StaffStore(temp.Database, temp.Time);
        await staff.AddOrUpdateAsync("gs01", "Trần Giám Sát", StaffRole.Supervisor, "135790");

        for (var i = 1; i <= StaffStore.MaxFailures + 1; i++)
        {
            Assert.Equal(await staff.CheckPinAsync("gs01", "000000"), await staff.CheckPinAsync("gs99", "000000"));
        }

        // A new PIN set by the office clears the person's lockout; the unknown id stays locked.
        await staff.AddOrUpdateAsync("gs01", "Trần Giám Sát", StaffRole.Supervisor, "135790");
        Assert.True((await staff.CheckPinAsync("gs01", "135790")).Ok);
        Assert.NotNull((await staff.CheckPinAsync("gs99", "135790")).LockedUntil);
    }

    [Fact]
    public async Task A_session_ends_after_ten_idle_minutes_and_after_the_shift_limit_however_busy()
    {
        await using var temp = await new TempDatabase().SeedAsync();
        var staff = new StaffStore(temp.Database, temp.Time);
        await staff.AddOrUpdateAsync("tn01", "Lê Thu Ngân", StaffRole.Cashier, "246813");
        var member = (await staff.CheckPinAsync("tn01", "246813")).Member!;

        // Used every 9 minutes: kept until the shift limit, then ended all the same.
        var (busy, latest) = await staff.OpenSessionAsync(member);
        Assert.Equal(temp.Time.GetUtcNow() + StaffStore.SessionLifetime, latest);
        while (temp.Time.GetUtcNow() + TimeSpan.FromMinutes(9) < latest)
        {
            temp.Time.Advance(TimeSpan.FromMinutes(9));
            Assert.Equal(member, await staff.FindSessionAsync(busy));
        }

        temp.Time.Advance(latest - temp.Time.GetUtcNow());
        Assert.Null(await staff.FindSessionAsync(busy));

        // Left alone: gone after ten minutes.
        var (idle, _) = await staff.OpenSessionAsync(member);
        temp.Time.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(member, await staff.FindSessionAsync(idle));
        temp.Time.Advance(staff.IdleTimeout + TimeSpan.FromSeconds(1));
        Assert.Null(await staff.FindSessionAsync(idle));
    }

    [Fact]
    public async Task Five_wrong_pins_lock_for_fifteen_minutes_and_the_right_pin_does_not_open_it_early()
    {
        await using var temp = await new TempDatabase().SeedAsync();
        var staff = new StaffStore(temp.Database, temp.Time);
        await staff.AddOrUpdateAsync("gs01", "Trần Giám Sát", StaffRole.Supervisor, "135790");

        for (var i = 1; i < StaffStore.MaxFailures; i++)
        {
            Assert.Equal(StaffStore.MaxFailures - i, (await staff.CheckPinAsync("gs01", "0000")).RemainingTries);
        }

        var locked = await staff.CheckPinAsync("gs01", "0000");
        Assert.Equal(temp.Time.GetUtcNow() + StaffStore.Lockout, locked.LockedUntil);
        Assert.False((await staff.CheckPinAsync("gs01", "135790")).Ok);

        temp.Time.Advance(StaffStore.Lockout + TimeSpan.FromSeconds(1));
        Assert.True((await staff.CheckPinAsync("gs01", "135790")).Ok);

        // A right PIN resets the count: four wrong ones later do not lock.
        for (var i = 1; i < StaffStore.MaxFailures; i++)
        {
            Assert.Null((await staff.CheckPinAsync("gs01", "1111")).LockedUntil);
        }

        Assert.True((await staff.CheckPinAsync("gs01", "135790")).Ok);
        Assert.False((await staff.CheckPinAsync("nobody", "135790")).Ok);
    }

    [Fact]
    public async Task A_session_finds_its_person_until_it_ends_or_is_closed()
    {
        await using var temp = await new TempDatabase().SeedAsync();
        var staff = new StaffStore(temp.Database, temp.Time);
        await staff.AddOrUpdateAsync("kt01", "Kỹ Thuật", StaffRole.Technician, "864271");
        var member = (await staff.CheckPinAsync("kt01", "864271")).Member!;

        var (token, expires) = await staff.OpenSessionAsync(member);
        Assert.Equal(member, await staff.FindSessionAsync(token));
        Assert.Null(await staff.FindSessionAsync(token + "x"));
        Assert.Null(await staff.FindSessionAsync(null));

        temp.Time.Advance(expires - temp.Time.GetUtcNow());
        Assert.Null(await staff.FindSessionAsync(token));

        var (second, _) = await staff.OpenSessionAsync(member);
        await staff.CloseSessionAsync(second);
        Assert.Null(await staff.FindSessionAsync(second));
    }
}
