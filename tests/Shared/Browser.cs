namespace KioskPos.Tests.Shared;

/// <summary>Debian's Chromium driven by Playwright (no browser download), headless, with the flags this network needs.</summary>
internal static class Browser
{
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
}
