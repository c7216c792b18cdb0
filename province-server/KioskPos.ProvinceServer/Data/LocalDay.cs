using System.Globalization;

namespace KioskPos.ProvinceServer.Data;

/// <summary>
/// The province's calendar day. Times are stored in UTC, but a school's or hospital's day, the plan report's months and
/// the reconciliation's days are Vietnam's (UTC+7 all year, no daylight saving): a payment at 06:30 on the 1st, local
/// time, belongs to the 1st, not to the last day of the month before.
/// </summary>
internal static class LocalDay
{
    /// <summary>Vietnam's offset from UTC.</summary>
    public static readonly TimeSpan Offset = TimeSpan.FromHours(7);

    /// <summary>
    /// The SQL for the local day of a stored UTC time <c>{0}</c> (text <c>yyyy-MM-dd</c>), as SQLite writes it;
    /// <see cref="DbCommands"/> translates it for PostgreSQL, and the migrations spell out the same rule.
    /// </summary>
    public const string Sql = "date({0}, '+7 hours')";

    /// <summary>Today, in the province.</summary>
    public static DateOnly Today(TimeProvider time) => DateOnly.FromDateTime(time.GetUtcNow().ToOffset(Offset).DateTime);

    /// <summary>
    /// Where <paramref name="day"/> begins, as a stored UTC time compares: text that sorts before every time of that
    /// local day and after every time of the day before.
    /// </summary>
    public static string StartUtc(DateOnly day) =>
        (day.ToDateTime(TimeOnly.MinValue) - Offset).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>The SQL for the local day of <paramref name="column"/>.</summary>
    public static string Of(string column) => string.Format(CultureInfo.InvariantCulture, Sql, column);
}
