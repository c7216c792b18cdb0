using System.Diagnostics;
using System.Text.Json;
using KioskPos.Firmware.Display;
using KioskPos.Terminal.Services;
using KioskPos.Tests.Shared;

namespace KioskPos.Terminal.Tests.Display;

/// <summary>
/// Issue 25, the second HDMI screen chosen by the hardware profile: a terminal started on a profile with
/// <c>"display": "hdmi2"</c> writes the screen selection the .deb's units read, and with the package's own unit files
/// (firmware/os, as scripts/deb.sh installs them) and its default <c>/etc/kioskpos/screen.env</c> the two-screen unit
/// is the one that starts and the one-screen kiosk unit is not; a profile without it leaves the one screen; a
/// technician's <c>KIOSKPOS_SCREENS</c> in screen.env still overrides the profile. Each unit's ExecCondition is run
/// as systemd would run it, with the variables of its Environment= lines and its environment files in their order.
/// </summary>
public sealed class TwoScreenTests
{
    private static readonly string s_os = Path.Combine(RepositoryRoot.Find(), "firmware", "os");

    [Fact]
    public async Task A_profile_saying_hdmi2_starts_the_two_screen_unit_and_not_the_kiosk_unit()
    {
        var folder = Directory.CreateTempSubdirectory("kioskpos-screens-").FullName;
        var profile = Path.Combine(folder, "counter-hdmi2.json");
        await File.WriteAllTextAsync(profile, JsonSerializer.Serialize(new { name = "counter-hdmi2", cardReader = "simulated", printer = "emulator", gpio = "simulated", paperWidthMm = 80, display = "hdmi2" }));
        var screens = Path.Combine(folder, "run", "screens.env");

        await using (var province = await ProvinceHost.StartAsync())
        await using (await TerminalHost.StartAsync(province, extraArgs: [$"--Hardware:Profile={profile}", $"--Hardware:ScreensFile={screens}"]))
        {
            // Written before the terminal reported itself started (the screen units start after it).
            Assert.Contains("KIOSKPOS_SCREENS=hdmi2\n", await File.ReadAllTextAsync(screens), StringComparison.Ordinal);
        }

        var defaults = Path.Combine(s_os, "screen.env"); // the package's /etc/kioskpos/screen.env
        Assert.Equal((false, true), (await StartsAsync("kioskpos-kiosk.service", screens, defaults), await StartsAsync("kioskpos-screens.service", screens, defaults)));

        // The same units without the profile's word (a terminal not yet started, or an older one): one screen.
        var none = Path.Combine(folder, "absent.env");
        Assert.Equal((true, false), (await StartsAsync("kioskpos-kiosk.service", none, defaults), await StartsAsync("kioskpos-screens.service", none, defaults)));

        // A technician's choice in screen.env wins over the profile, either way.
        var technician = Path.Combine(folder, "screen.env");
        await File.WriteAllTextAsync(technician, await File.ReadAllTextAsync(defaults) + "KIOSKPOS_SCREENS=one\n");
        Assert.Equal((true, false), (await StartsAsync("kioskpos-kiosk.service", screens, technician), await StartsAsync("kioskpos-screens.service", screens, technician)));
        var browser = Path.Combine(folder, "browser.env");
        await File.WriteAllTextAsync(browser, ScreenSelection.Text(DisplaySpec.Browser));
        Assert.Contains("KIOSKPOS_SCREENS=one\n", await File.ReadAllTextAsync(browser), StringComparison.Ordinal);
        Assert.Equal((true, false), (await StartsAsync("kioskpos-kiosk.service", browser, defaults), await StartsAsync("kioskpos-screens.service", browser, defaults)));
        await File.WriteAllTextAsync(technician, await File.ReadAllTextAsync(defaults) + "KIOSKPOS_SCREENS=hdmi2\n");
        Assert.Equal((false, true), (await StartsAsync("kioskpos-kiosk.service", browser, technician), await StartsAsync("kioskpos-screens.service", browser, technician)));
    }

    [Fact]
    public async Task The_packages_terminal_unit_writes_the_selection_where_the_screen_units_read_it_first()
    {
        var terminal = await File.ReadAllLinesAsync(Path.Combine(s_os, "kioskpos-terminal.service"));
        Assert.Contains(terminal, l => l.StartsWith("ExecStart=", StringComparison.Ordinal) && l.Contains(" --Hardware:ScreensFile=/run/kioskpos/screens.env", StringComparison.Ordinal));
        Assert.Contains("RuntimeDirectory=kioskpos", terminal);
        Assert.Contains("RuntimeDirectoryPreserve=yes", terminal);
        Assert.Contains("Type=notify", terminal); // the screen units (After=kioskpos-terminal.service) start once it is written
        foreach (var unit in new[] { "kioskpos-kiosk.service", "kioskpos-screens.service" })
        {
            var files = (await File.ReadAllLinesAsync(Path.Combine(s_os, unit))).Where(l => l.StartsWith("EnvironmentFile=", StringComparison.Ordinal)).ToList();
            Assert.Equal(["EnvironmentFile=-/run/kioskpos/screens.env", "EnvironmentFile=-/etc/kioskpos/screen.env"], files);
            Assert.Contains("After=kioskpos-terminal.service", await File.ReadAllTextAsync(Path.Combine(s_os, unit)), StringComparison.Ordinal);
        }
    }

    // Runs the unit's ExecCondition= with its Environment= variables, then its environment files in order (the
    // terminal's /run file and screen.env mapped to the given files; a missing one skipped, as "-" tells systemd),
    // expanding "${NAME}" as systemd does (one argument, empty when unset); true when the unit would start.
    private static async Task<bool> StartsAsync(string unitName, string runFile, string screenEnv)
    {
        var lines = await File.ReadAllLinesAsync(Path.Combine(s_os, unitName));
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            if (line.StartsWith("Environment=", StringComparison.Ordinal))
            {
                foreach (var pair in line["Environment=".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    variables[pair[..pair.IndexOf('=', StringComparison.Ordinal)]] = pair[(pair.IndexOf('=', StringComparison.Ordinal) + 1)..];
                }
            }
            else if (line.StartsWith("EnvironmentFile=-", StringComparison.Ordinal))
            {
                var file = line["EnvironmentFile=-".Length..] switch
                {
                    "/run/kioskpos/screens.env" => runFile,
                    "/etc/kioskpos/screen.env" => screenEnv,
                    var other => throw new InvalidOperationException($"{unitName} reads {other}, which this test does not know"),
                };
                if (!File.Exists(file))
                {
                    continue;
                }

                foreach (var setting in (await File.ReadAllLinesAsync(file)).Where(l => l.Contains('=', StringComparison.Ordinal) && !l.TrimStart().StartsWith('#')))
                {
                    variables[setting[..setting.IndexOf('=', StringComparison.Ordinal)].Trim()] = setting[(setting.IndexOf('=', StringComparison.Ordinal) + 1)..].Trim();
                }
            }
        }

        var condition = Assert.Single(lines, l => l.StartsWith("ExecCondition=", StringComparison.Ordinal))["ExecCondition=".Length..];
        var words = System.Text.RegularExpressions.Regex.Matches(condition, "\"([^\"]*)\"|(\\S+)").Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value)
            .Select(w => System.Text.RegularExpressions.Regex.Replace(w, "\\$\\{([A-Z_]+)\\}", m => variables.GetValueOrDefault(m.Groups[1].Value, ""))).ToList();
        Assert.Equal("/usr/bin/test", words[0]);
        var start = new ProcessStartInfo("/usr/bin/test") { UseShellExecute = false };
        foreach (var word in words.Skip(1))
        {
            start.ArgumentList.Add(word);
        }

        using var process = Process.Start(start)!;
        await process.WaitForExitAsync();
        return process.ExitCode == 0;
    }
}
