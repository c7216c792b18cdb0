namespace KioskPos.ProvinceServer;

/// <summary>The province server's configuration (section <c>Province</c>).</summary>
public sealed class ProvinceOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Province";

    /// <summary>Where the database lives; relative paths are taken from the working directory.</summary>
    public string DataDirectory { get; set; } = "var/province";

    /// <summary>The administrator's bearer token for <c>/api/v1/admin</c>; admin endpoints are closed while it is empty.</summary>
    public string? AdminToken { get; set; }

    /// <summary>Load the demo province into an empty database.</summary>
    public bool SeedDemoData { get; set; } = true;

    /// <summary>The database file.</summary>
    public string DatabasePath => Path.Combine(DataDirectory, "province.db");
}
