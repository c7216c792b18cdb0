namespace KioskPos.Core.Text;

/// <summary>The province's local time, for what people read (receipts, pages).</summary>
public static class LocalTime
{
    /// <summary>The default zone of every Vietnamese province.</summary>
    public const string VietnamZoneId = "Asia/Ho_Chi_Minh";

    /// <summary>The zone named <paramref name="zoneId"/>, or a fixed UTC+07 when the system lacks tzdata for it.</summary>
    public static TimeZoneInfo Resolve(string zoneId)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return TimeZoneInfo.CreateCustomTimeZone("UTC+07", TimeSpan.FromHours(7), "Giờ Việt Nam", "Giờ Việt Nam");
        }
    }
}
