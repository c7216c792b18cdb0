using Npgsql;

namespace KioskPos.Benchmarks;

/// <summary>
/// Where PostgreSQL spent the load test's measured run, statement by statement, when the throwaway cluster was
/// started with <c>pg_stat_statements</c> preloaded (<c>KIOSKPOS_PG_OPTIONS="-c shared_preload_libraries=pg_stat_statements"</c>):
/// the counters are cleared before the run and the costliest statements printed after it, with their time per entry.
/// </summary>
internal sealed class StatementTimes
{
    private readonly string _connectionString;

    private StatementTimes(string connectionString) => _connectionString = connectionString;

    public static async Task<StatementTimes> StartAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset();", connection);
        await command.ExecuteNonQueryAsync();
        return new StatementTimes(connectionString);
    }

    public async Task PrintAsync(long entries)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT calls, total_exec_time, total_plan_time, rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) FROM pg_stat_statements " +
            "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY total_exec_time + total_plan_time DESC LIMIT 25", connection);
        await using var reader = await command.ExecuteReaderAsync();
        Console.WriteLine("  PostgreSQL's statements over the measured run (pg_stat_statements), costliest first:");
        Console.WriteLine("  | Calls | Exec ms | Plan ms | µs per entry | Rows | Statement |");
        while (await reader.ReadAsync())
        {
            var (calls, exec, plan, rows, text) = (reader.GetInt64(0), reader.GetDouble(1), reader.GetDouble(2), reader.GetInt64(3), reader.GetString(4));
            Console.WriteLine(FormattableString.Invariant($"  | {calls:N0} | {exec:N0} | {plan:N0} | {(exec + plan) * 1000 / entries:0.0} | {rows:N0} | {text.Replace('|', '/')} |"));
        }
    }
}
