namespace KioskPos.Terminal;

/// <summary>
/// This build's version (major.minor.patch, from the assembly): what the terminal reports to the province, prints on
/// its test page, shows the technician and checks an upgrade against. Read once.
/// </summary>
internal static class TerminalVersion
{
    /// <summary>The version, e.g. "1.2.0"; "0.0.0" when the assembly carries none.</summary>
    public static readonly string Current = typeof(TerminalVersion).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
