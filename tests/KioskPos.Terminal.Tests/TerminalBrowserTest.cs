using System.Diagnostics;
using KioskPos.Storage;
using KioskPos.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// The parts of a terminal browser test, started for each test and stopped after it: a province server and a
/// terminal on 127.0.0.1 (<see cref="TerminalTest"/>, as the test class starts them) and Debian's Chromium. Script
/// errors the pages report go to <see cref="Errors"/>, which must be empty when the test ends; screenshots go to
/// <see cref="Screenshots"/>.
/// </summary>
public abstract class TerminalBrowserTest : TerminalTest
{
    /// <summary>Where the tests leave their screenshots (artifacts/screenshots).</summary>
    protected static readonly string Screenshots = Browser.Screenshots;

    /// <summary>axe-core's script, installed by scripts/prereqs.sh under tests/browser-tools.</summary>
    protected static readonly string Axe = Path.Combine(RepositoryRoot.Find(), "tests", "browser-tools", "node_modules", "axe-core", "axe.min.js");

    /// <summary>The pages' script errors (add a page's with <see cref="Watch"/>); the test fails at its end if any.</summary>
    protected List<string> Errors { get; } = [];

    /// <summary>The browser.</summary>
    protected IBrowser Chromium { get; private set; } = null!;

    /// <inheritdoc/>
    protected override bool StartsOnline => true;

    /// <inheritdoc/>
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Chromium = await Browser.LaunchAsync();
        Directory.CreateDirectory(Screenshots);
    }

    /// <inheritdoc/>
    public override async Task DisposeAsync()
    {
        await Chromium.DisposeAsync();
        await base.DisposeAsync();
        Assert.Empty(Errors);
    }

    /// <summary>Starts the terminal against <paramref name="province"/>, as the test class needs it.</summary>
    protected abstract override Task<TerminalHost> StartTerminalAsync(ProvinceHost province);

    /// <summary>A new page of <paramref name="width"/>×<paramref name="height"/> whose script errors go to <see cref="Errors"/>.</summary>
    protected async Task<IPage> NewPageAsync(int width = 1280, int height = 800)
    {
        var page = await Chromium.NewPageAsync(new() { ViewportSize = new() { Width = width, Height = height } });
        Watch(page);
        return page;
    }

    /// <summary>
    /// A new page of <paramref name="width"/>×<paramref name="height"/> opened at <paramref name="path"/> on the terminal,
    /// its script errors going to <see cref="Errors"/>. The page's own context has the terminal as its base address, so
    /// <c>page.APIRequest</c> and relative navigations reach the terminal with the page's cookies.
    /// </summary>
    protected async Task<IPage> OpenAsync(string path, int width = 1024, int height = 600)
    {
        var context = await Chromium.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = height }, BaseURL = Terminal.Http.BaseAddress!.ToString() });
        var page = await context.NewPageAsync();
        Watch(page);
        await page.GotoAsync(path);
        return page;
    }

    /// <summary>Sends <paramref name="page"/>'s script errors to <see cref="Errors"/>.</summary>
    protected void Watch(IPage page) => page.PageError += (_, error) => Errors.Add(error);

    /// <summary>Saves <paramref name="page"/> as artifacts/screenshots/<paramref name="name"/>.png.</summary>
    protected static Task ShotAsync(IPage page, string name, bool fullPage = false) => Browser.ShotAsync(page, name, fullPage);

    /// <summary>The page fits the kiosk's 1024×600 screen across: nothing to scroll sideways.</summary>
    protected static async Task AssertNoHorizontalScrollAsync(IPage page, string what = "the page") =>
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), $"{what} scrolls sideways at 1024×600");

    /// <summary>The page as shown passes axe-core's WCAG 2.2 AA rules and every target is at least 48 px, as the kiosk's screens do.</summary>
    protected static async Task AssertAccessibleAsync(IPage page)
    {
        var violations = await Accessibility.AccessibilityBrowserTests.AxeAsync(page);
        Assert.True(violations.Length == 0, string.Join("\n", violations));
        await Accessibility.AccessibilityBrowserTests.AssertTargetsAsync(page);
    }

    /// <summary>
    /// The terminal <paramref name="starting"/>, with the demo staff of <paramref name="roles"/> added under the names the
    /// staff pages show (ids and PINs: <see cref="TerminalHost.StaffPins"/>; tn01 Lê Thu Ngân signs in at the counter).
    /// </summary>
    protected static async Task<TerminalHost> WithStaffAsync(Task<TerminalHost> starting, params StaffRole[] roles)
    {
        var terminal = await starting;
        var staff = terminal.App.Services.GetRequiredService<StaffStore>();
        foreach (var role in roles)
        {
            var (id, pin) = TerminalHost.StaffPins[role];
            await staff.AddOrUpdateAsync(id, s_staffNames[role], role, pin);
        }

        return terminal;
    }

    private static readonly IReadOnlyDictionary<StaffRole, string> s_staffNames = new Dictionary<StaffRole, string>
    {
        [StaffRole.Cashier] = "Lê Thu Ngân",
        [StaffRole.Supervisor] = "Trần Giám Sát",
        [StaffRole.Technician] = "Phạm Kỹ Thuật",
    };

    /// <summary>Types a staff id and PIN on the counter's sign-in form and sends it (the answer is the caller's to wait for).</summary>
    protected static async Task SubmitCounterSignInAsync(IPage page, string id, string pin)
    {
        await page.FillAsync("#staff", id);
        await page.FillAsync("#pin", pin);
        await page.ClickAsync("#loginform button[type=submit]");
    }

    /// <summary>Signs <paramref name="id"/> in at the counter and waits for the counter's main screen.</summary>
    protected static async Task SignInAtCounterAsync(IPage page, string id, string pin)
    {
        await SubmitCounterSignInAsync(page, id, pin);
        await page.WaitForSelectorAsync("body[data-screen=main]");
    }

    /// <summary>A named pipe in a new temporary folder, standing for a device file (an evdev node) the test writes to.</summary>
    protected static async Task<string> MakeFifoAsync(string prefix, string name)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory(prefix).FullName, name);
        using var mkfifo = Process.Start("mkfifo", [path])!;
        await mkfifo.WaitForExitAsync();
        Assert.Equal(0, mkfifo.ExitCode);
        return path;
    }
}
