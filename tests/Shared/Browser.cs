namespace KioskPos.Tests.Shared;

/// <summary>Debian's Chromium driven by Playwright (no browser download), headless, with the flags this network needs.</summary>
internal static class Browser
{
    /// <summary>
    /// Where the browser tests leave their screenshots (artifacts/screenshots): one file per screen, the same name each
    /// run, so that two runs compare screen by screen (<c>make screenshots-compare</c>).
    /// </summary>
    public static readonly string Screenshots = Path.Combine(RepositoryRoot.Find(), "artifacts", "screenshots");

    public static async Task<Microsoft.Playwright.IBrowser> LaunchAsync()
    {
        var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        return await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Environment.GetEnvironmentVariable("KIOSKPOS_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>Saves <paramref name="page"/> as artifacts/screenshots/<paramref name="name"/>.png.</summary>
    public static Task ShotAsync(Microsoft.Playwright.IPage page, string name, bool fullPage = false)
    {
        Directory.CreateDirectory(Screenshots);
        return page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, name + ".png"), FullPage = fullPage });
    }
}
