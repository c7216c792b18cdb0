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

    /// <summary>
    /// Waits until the page's address matches <paramref name="address"/> (a search, as JavaScript's <c>test</c>), and for
    /// nothing else: the selectors that follow wait for what the page fills in. Asked of the browser, which polls it, not
    /// by Playwright's <c>WaitForURLAsync</c>: that one, when the address already matches, waits for the <c>load</c> state
    /// whatever <c>WaitUntil</c> says (microsoft/playwright-dotnet#3365) and can miss the event it subscribes to after
    /// checking (#3364) — both met as 30 s time-outs on a loaded CI machine.
    /// </summary>
    public static Task WaitForAddressAsync(Microsoft.Playwright.IPage page, System.Text.RegularExpressions.Regex address) =>
        Microsoft.Playwright.Assertions.Expect(page).ToHaveURLAsync(address, new() { Timeout = 30_000 });

    /// <summary>The sign-in page, with the address to return to, where the servers send a browser not signed in.</summary>
    public static readonly System.Text.RegularExpressions.Regex SignIn = new(@"/login\?return=");

    /// <summary>Saves <paramref name="page"/> as artifacts/screenshots/<paramref name="name"/>.png.</summary>
    public static Task ShotAsync(Microsoft.Playwright.IPage page, string name, bool fullPage = false)
    {
        Directory.CreateDirectory(Screenshots);
        return page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, name + ".png"), FullPage = fullPage });
    }
}
