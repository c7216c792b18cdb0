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
        await staff.AddOrUpdateAsync("tn01", "Lê Thu Ngân", StaffRole.Cashier, "2468");
        await staff.AddOrUpdateAsync("tn02", "Phạm Văn Ba", StaffRole.Cashier, "2468");

        var ok = await staff.CheckPinAsync("tn01", "2468");
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

        Assert.All(hashes, h => Assert.DoesNotContain("2468", h, StringComparison.Ordinal));
        Assert.All(hashes, h => Assert.StartsWith("pbkdf2-sha256$", h, StringComparison.Ordinal));
        Assert.NotEqual(hashes[0], hashes[1]); // same PIN, own salt
        await Assert.ThrowsAsync<ArgumentException>(() => staff.AddOrUpdateAsync("tn03", "X", StaffRole.Cashier, "12a4"));
    }

    [Fact]
    public async Task Five_wrong_pins_lock_for_fifteen_minutes_and_the_right_pin_does_not_open_it_early()
    {
        await using var temp = await new TempDatabase().SeedAsync();
        var staff = new StaffStore(temp.Database, temp.Time);
        await staff.AddOrUpdateAsync("gs01", "Trần Giám Sát", StaffRole.Supervisor, "13579");

        for (var i = 1; i < StaffStore.MaxFailures; i++)
        {
            Assert.Equal(StaffStore.MaxFailures - i, (await staff.CheckPinAsync("gs01", "0000")).RemainingTries);
        }

        var locked = await staff.CheckPinAsync("gs01", "0000");
        Assert.Equal(temp.Time.GetUtcNow() + StaffStore.Lockout, locked.LockedUntil);
        Assert.False((await staff.CheckPinAsync("gs01", "13579")).Ok);

        temp.Time.Advance(StaffStore.Lockout + TimeSpan.FromSeconds(1));
        Assert.True((await staff.CheckPinAsync("gs01", "13579")).Ok);

        // A right PIN resets the count: four wrong ones later do not lock.
        for (var i = 1; i < StaffStore.MaxFailures; i++)
        {
            Assert.Null((await staff.CheckPinAsync("gs01", "1111")).LockedUntil);
        }

        Assert.True((await staff.CheckPinAsync("gs01", "13579")).Ok);
        Assert.False((await staff.CheckPinAsync("nobody", "13579")).Ok);
    }

    [Fact]
    public async Task A_session_finds_its_person_until_it_ends_or_is_closed()
    {
        await using var temp = await new TempDatabase().SeedAsync();
        var staff = new StaffStore(temp.Database, temp.Time);
        await staff.AddOrUpdateAsync("kt01", "Kỹ Thuật", StaffRole.Technician, "8642");
        var member = (await staff.CheckPinAsync("kt01", "8642")).Member!;

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
