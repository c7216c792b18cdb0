using System.Diagnostics;
using KioskPos.Shared.Sqlite;
using Microsoft.Data.Sqlite;

namespace KioskPos.Shared.Tests;

/// <summary>
/// The writer lane on a real SQLite file: its counters are not zero by construction — a lock held from outside the
/// lane is seen and counted, and waited out without a thread asleep; writers of the process queue in it; a writer
/// that keeps its connection open after its transaction loses its turn to the one waiting.
/// </summary>
public class SqliteWriteLaneTests
{
    private static SqliteDatabase NewDatabase(out string folder)
    {
        folder = Directory.CreateTempSubdirectory("kioskpos-lane-").FullName;
        return new SqliteDatabase(Path.Combine(folder, "lane.db"), [new Migration(1, "t", "CREATE TABLE t (x INTEGER);")]);
    }

    [Fact]
    public async Task A_lock_held_outside_the_lane_is_counted_and_waited_out_then_the_write_goes_on()
    {
        var database = NewDatabase(out var folder);
        try
        {
            await database.MigrateAsync();
            var before = database.Lane.Counters;

            // Another program's writer (a connection that never entered the lane) holds the write lock for 300 ms.
            await using var outsider = new SqliteConnection($"Data Source={database.Path};Pooling=False");
            await outsider.OpenAsync();
            await using (var hold = outsider.CreateCommand())
            {
                hold.CommandText = "BEGIN IMMEDIATE; INSERT INTO t VALUES (1);";
                await hold.ExecuteNonQueryAsync();
            }

            var release = Task.Run(async () =>
            {
                await Task.Delay(300);
                await using var commit = outsider.CreateCommand();
                commit.CommandText = "COMMIT";
                await commit.ExecuteNonQueryAsync();
            });
            var started = Stopwatch.GetTimestamp();
            await using (var writer = await database.OpenWriterAsync())
            {
                await using var transaction = writer.BeginTransaction(deferred: false);
                await using var insert = writer.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = "INSERT INTO t VALUES (2)";
                await insert.ExecuteNonQueryAsync();
                await transaction.CommitAsync();
            }

            await release;
            var after = database.Lane.Counters;
            Assert.Equal(before.BusySeen + 1, after.BusySeen);
            Assert.True(Stopwatch.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(250), "the writer waited for the outside lock");

            await using var read = await database.OpenAsync();
            await using var count = read.CreateCommand();
            count.CommandText = "SELECT COUNT(*) FROM t";
            Assert.Equal(2L, (long)(await count.ExecuteScalarAsync())!);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Writers_of_the_process_queue_in_the_lane_and_an_idle_holder_loses_its_turn()
    {
        var database = NewDatabase(out var folder);
        try
        {
            await database.MigrateAsync();
            var before = database.Lane.Counters;
            await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
            {
                await using var writer = await database.OpenWriterAsync();
                await using var transaction = writer.BeginTransaction(deferred: false);
                await using var insert = writer.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = $"INSERT INTO t VALUES ({i})";
                await insert.ExecuteNonQueryAsync();
                await transaction.CommitAsync();
            })));
            var queued = database.Lane.Counters;
            Assert.Equal(before.Writes + 20, queued.Writes);
            Assert.Equal(before.BusySeen, queued.BusySeen); // in the lane, none met the lock

            // A writer that has committed and keeps its connection open (reading on) does not hold the others up.
            await using var idle = await database.OpenWriterAsync();
            await using (var transaction = idle.BeginTransaction(deferred: false))
            {
                await using var insert = idle.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = "INSERT INTO t VALUES (100)";
                await insert.ExecuteNonQueryAsync();
                await transaction.CommitAsync();
            }

            // Another flow (not this test's, which holds the lane: its own nested writes would go on beside it).
            var waited = Stopwatch.GetTimestamp();
            Task<SqliteConnection> opening;
            using (ExecutionContext.SuppressFlow())
            {
                opening = Task.Run(() => database.OpenWriterAsync());
            }

            await using (var next = await opening)
            {
                Assert.True(Stopwatch.GetElapsedTime(waited) < TimeSpan.FromSeconds(5));
            }

            Assert.Equal(queued.Reclaimed + 1, database.Lane.Counters.Reclaimed);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_writer_let_in_but_slow_to_begin_keeps_its_turn_until_it_has_written()
    {
        var database = NewDatabase(out var folder);
        try
        {
            await database.MigrateAsync();
            var before = database.Lane.Counters;

            // Let in, and its thread slow to reach BEGIN (a loaded machine's thread pool): no transaction open yet, but
            // not idle. Before, a writer waiting 20 ms took its turn, and the two met at SQLite's lock.
            await using var slow = await database.OpenWriterAsync();
            Task<SqliteConnection> opening;
            using (ExecutionContext.SuppressFlow())
            {
                opening = Task.Run(() => database.OpenWriterAsync());
            }

            await Task.Delay(SqliteWriteLane.ReclaimAfter * 15);
            Assert.False(opening.IsCompleted, "the waiting writer took the turn of one that had not begun");

            // It writes and commits, and keeps its connection: now it is idle, and the waiting writer takes the turn.
            await using (var transaction = slow.BeginTransaction(deferred: false))
            {
                await using var insert = slow.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = "INSERT INTO t VALUES (1)";
                await insert.ExecuteNonQueryAsync();
                await transaction.CommitAsync();
            }

            await using (var next = await opening.WaitAsync(TimeSpan.FromSeconds(5)))
            {
                await using var transaction = next.BeginTransaction(deferred: false);
                await using var insert = next.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = "INSERT INTO t VALUES (2)";
                await insert.ExecuteNonQueryAsync();
                await transaction.CommitAsync();
            }

            var after = database.Lane.Counters;
            Assert.Equal(before.Reclaimed + 1, after.Reclaimed);
            Assert.Equal(before.BusySeen, after.BusySeen);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_writer_waiting_behind_a_holder_whose_connection_is_closing_waits_for_it_instead_of_failing()
    {
        var database = NewDatabase(out var folder);
        try
        {
            await database.MigrateAsync();
            var holder = await database.OpenWriterAsync();
            await using (var transaction = holder.BeginTransaction(deferred: false))
            {
                await using var insert = holder.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = "INSERT INTO t VALUES (1)";
                await insert.ExecuteNonQueryAsync();
                await transaction.CommitAsync();
            }

            // The holder has written and committed (a waiter may take an idle holder's turn) and is now closing: inside
            // Close the handle is released before the connection says it is closed and leaves the lane. That moment,
            // held open: the handle released, the connection not yet closed.
            holder.Handle!.Dispose();
            Task<SqliteConnection> opening;
            using (ExecutionContext.SuppressFlow())
            {
                opening = Task.Run(() => database.OpenWriterAsync());
            }

            // The waiter looks at the holder every 20 ms; it failed (ObjectDisposedException) at its first look.
            await Task.Delay(TimeSpan.FromMilliseconds(400));
            Assert.False(opening.IsFaulted, opening.Exception?.ToString());
            Assert.False(opening.IsCompleted); // the turn is still the holder's

            try
            {
                holder.Close();
            }
            catch (ObjectDisposedException)
            {
                // the handle this test released; the connection is closed all the same
            }

            await using var next = await opening.WaitAsync(TimeSpan.FromSeconds(10));
            await using var insertNext = next.CreateCommand();
            insertNext.CommandText = "INSERT INTO t VALUES (2)";
            Assert.Equal(1, await insertNext.ExecuteNonQueryAsync());
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
