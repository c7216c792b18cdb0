using System.Data.Common;
using KioskPos.ProvinceServer.Data;

namespace KioskPos.ProvinceServer.Tests;

/// <summary>How the database plans a query: PostgreSQL's <c>EXPLAIN</c> lines, SQLite's <c>EXPLAIN QUERY PLAN</c> details.</summary>
internal static class QueryPlan
{
    /// <summary>The plan of <paramref name="sql"/> with its <paramref name="parameters"/>, a line each.</summary>
    public static async Task<List<string>> ReadAsync(DbConnection connection, ProvinceEngine engine, string sql, params (string Name, object? Value)[] parameters)
    {
        var plan = new List<string>();
        await using var explain = connection.Command((engine == ProvinceEngine.Postgres ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + sql, null, parameters);
        await using var reader = await explain.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            plan.Add(reader.GetString(reader.FieldCount - 1)); // PostgreSQL's one column; SQLite's detail, the last
        }

        return plan;
    }
}
