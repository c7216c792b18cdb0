using System.Diagnostics;
using System.Text.Json;
using KioskPos.Tests.Shared;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// The terminal's Debian package, built as <c>make deb</c> builds it (the self-contained linux-arm64 publish), read
/// with dpkg-deb, its units checked by systemd-analyze, and installed, upgraded, removed and purged with dpkg in a
/// scratch root (the maintainer scripts run chrootless with DPKG_ROOT set, touching nothing of this machine).
/// </summary>
public sealed class PackageTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("kioskpos-deb-").FullName;

    public void Dispose()
    {
        if (Directory.Exists(Path.Combine(_work, "key", "gnupg")))
        {
            using var kill = Process.Start(new ProcessStartInfo("gpgconf", ["--homedir", Path.Combine(_work, "key", "gnupg"), "--kill", "gpg-agent"]) { UseShellExecute = false });
            kill?.WaitForExit();
        }

        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    [Trait("Category", "Package")]
    public async Task The_deb_holds_hardened_units_and_keeps_the_data_through_upgrade_and_removal_until_purged()
    {
        var repository = RepositoryRoot.Find();
        var published = Path.Combine(_work, "pi");
        await RunAsync("dotnet", "publish", Path.Combine(repository, "kiosk-app/KioskPos.Terminal"), "-c", "Release", "-r", "linux-arm64", "--self-contained", "true", "-p:WithSimulators=false", "-o", published, "--artifacts-path", Path.Combine(_work, "build"), "-nologo", "-v", "quiet"); // its own bin and obj: the other tests run the built terminal meanwhile
        Assert.Empty(Directory.GetFiles(published, "KioskPos.Hardware.Simulators*")); // a real terminal ships no emulator
        var first = await BuildAsync(repository, published, "0.1.0");
        Assert.EndsWith("_arm64.deb", first, StringComparison.Ordinal);

        // What is in it.
        var contents = await RunAsync("dpkg-deb", "-c", first);
        foreach (var path in new[] { "./opt/kioskpos/kioskpos-terminal", "./lib/systemd/system/kioskpos-terminal.service", "./lib/systemd/system/kioskpos-kiosk.service",
            "./lib/udev/rules.d/60-kioskpos.rules", "./etc/kioskpos/terminal.json", "./etc/chromium/policies/managed/kioskpos.json", "./usr/share/kioskpos/profiles/pi4-rc522-usb80.json",
            "./lib/systemd/system/kioskpos-screens.service", "./etc/kioskpos/screen.env", "./usr/share/kioskpos/sway-two-screens.conf", "./usr/lib/kioskpos/two-screens",
            "./usr/share/kioskpos/profiles/pi5-em4100-tcp80-hdmi2.json", "./usr/lib/kioskpos/kioskpos-upgrade", "./lib/systemd/system/kioskpos-upgrade.service",
            "./lib/systemd/system/kioskpos-upgrade.timer", "./usr/share/keyrings/kioskpos-province.gpg", "./etc/apt/sources.list.d/kioskpos.sources" })
        {
            Assert.Contains(path, contents, StringComparison.Ordinal);
        }

        Assert.Equal("arm64", (await RunAsync("dpkg-deb", "-f", first, "Architecture")).Trim());
        var extracted = Path.Combine(_work, "x");
        await RunAsync("dpkg-deb", "-x", first, extracted);
        var unit = await File.ReadAllTextAsync(Path.Combine(extracted, "lib/systemd/system/kioskpos-terminal.service"));
        foreach (var line in new[] { "Type=notify", "WatchdogSec=", "Restart=always", "User=kioskpos", "ProtectSystem=strict", "ReadWritePaths=/var/lib/kioskpos", "NoNewPrivileges=yes", "PrivateTmp=yes" })
        {
            Assert.Contains(line, unit, StringComparison.Ordinal);
        }

        Assert.Contains("Restart=always", await File.ReadAllTextAsync(Path.Combine(extracted, "lib/systemd/system/kioskpos-kiosk.service")), StringComparison.Ordinal);
        var policy = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(extracted, "etc/chromium/policies/managed/kioskpos.json"))).RootElement;
        Assert.Equal(["*"], policy.GetProperty("URLBlocklist").EnumerateArray().Select(e => e.GetString()));
        Assert.All(policy.GetProperty("URLAllowlist").EnumerateArray(), e => Assert.StartsWith("http://127.0.0.1:8080/", e.GetString(), StringComparison.Ordinal));
        Assert.DoesNotContain(policy.GetProperty("URLAllowlist").EnumerateArray(), e => e.GetString()!.EndsWith("/counter", StringComparison.Ordinal) || e.GetString()!.EndsWith("/tech", StringComparison.Ordinal)); // a kiosk's browser: kiosk pages only
        Assert.True(File.Exists(Path.Combine(extracted, "usr/share/kioskpos/chromium-policy-counter.json")), "the counter terminal's policy ships beside");
        Assert.Equal(2, policy.GetProperty("DeveloperToolsAvailability").GetInt32());
        Assert.False(policy.GetProperty("PrintingEnabled").GetBoolean());

        // Installed into a scratch root.
        var root = Path.Combine(_work, "root");
        Directory.CreateDirectory(Path.Combine(root, "var/lib/dpkg/updates"));
        Directory.CreateDirectory(Path.Combine(root, "var/lib/dpkg/info"));
        await File.WriteAllTextAsync(Path.Combine(root, "var/lib/dpkg/status"), string.Empty);
        await DpkgAsync(root, "-i", first);
        Assert.True(Directory.Exists(Path.Combine(root, "var/lib/kioskpos")), "postinst makes the data folder");

        // The units verify against this machine's systemd units, with the commands the package's dependencies bring.
        Directory.CreateDirectory(Path.Combine(root, "usr/lib/systemd/system"));
        foreach (var file in Directory.GetFiles("/usr/lib/systemd/system"))
        {
            File.Copy(file, Path.Combine(root, "usr/lib/systemd/system", Path.GetFileName(file)), overwrite: true);
        }

        Directory.CreateDirectory(Path.Combine(root, "usr/bin"));
        foreach (var dependency in new[] { "usr/bin/cage", "usr/bin/chromium", "usr/bin/sway", "usr/bin/test" })
        {
            await File.WriteAllTextAsync(Path.Combine(root, dependency), "#!/bin/sh\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(Path.Combine(root, dependency), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        var verify = await RunAsync("systemd-analyze", "verify", $"--root={root}",
            Path.Combine(root, "lib/systemd/system/kioskpos-terminal.service"), Path.Combine(root, "lib/systemd/system/kioskpos-kiosk.service"),
            Path.Combine(root, "lib/systemd/system/kioskpos-screens.service"), Path.Combine(root, "lib/systemd/system/kioskpos-upgrade.service"),
            Path.Combine(root, "lib/systemd/system/kioskpos-upgrade.timer"));
        Assert.Equal(string.Empty, verify.Trim());

        // The two-screen counter: by default the one-screen kiosk unit runs and the two-screen one does not; with
        // KIOSKPOS_SCREENS=hdmi2 in screen.env the other way round (each unit's ExecCondition run as systemd would,
        // with screen.env's variables), and sway's configuration starts the script that places the two pages.
        var screenEnv = Path.Combine(root, "etc/kioskpos/screen.env");
        Assert.Equal((true, false), (await ConditionAsync(root, "kioskpos-kiosk.service", screenEnv), await ConditionAsync(root, "kioskpos-screens.service", screenEnv)));
        await File.AppendAllTextAsync(screenEnv, "KIOSKPOS_SCREENS=hdmi2\nKIOSKPOS_CUSTOMER_OUTPUT=HDMI-A-2\n");
        Assert.Equal((false, true), (await ConditionAsync(root, "kioskpos-kiosk.service", screenEnv), await ConditionAsync(root, "kioskpos-screens.service", screenEnv)));
        var screens = await File.ReadAllTextAsync(Path.Combine(root, "lib/systemd/system/kioskpos-screens.service"));
        Assert.Contains("ExecStart=/usr/bin/sway --config /usr/share/kioskpos/sway-two-screens.conf", screens, StringComparison.Ordinal);
        Assert.Contains("Conflicts=getty@tty1.service\n", screens, StringComparison.Ordinal); // not the kiosk unit: the conditions choose, a conflict would drop one at boot
        Assert.Contains("WantedBy=graphical.target", screens, StringComparison.Ordinal);
        Assert.Contains("exec /usr/lib/kioskpos/two-screens", await File.ReadAllTextAsync(Path.Combine(root, "usr/share/kioskpos/sway-two-screens.conf")), StringComparison.Ordinal);
        var placer = Path.Combine(root, "usr/lib/kioskpos/two-screens");
        if (!OperatingSystem.IsWindows())
        {
            Assert.True(File.GetUnixFileMode(placer).HasFlag(UnixFileMode.UserExecute), "the placing script is executable");
        }

        await RunAsync("sh", "-n", placer);
        var script = await File.ReadAllTextAsync(placer);
        Assert.Contains("workspace counter output $counter_output", script, StringComparison.Ordinal);
        Assert.Contains("workspace customer output $customer_output", script, StringComparison.Ordinal);

        // The terminal's data and a technician's setting, then an upgrade: both kept.
        var data = Path.Combine(root, "var/lib/kioskpos/terminal.db");
        await File.WriteAllTextAsync(data, "unsynced payments");
        var config = Path.Combine(root, "etc/kioskpos/terminal.json");
        await File.WriteAllTextAsync(config, """{"Hardware":{"Profile":"/usr/share/kioskpos/profiles/pi5-em4100-tcp80.json"}}""");
        var second = await BuildAsync(repository, published, "0.1.1");
        await DpkgAsync(root, "-i", second);
        Assert.Contains("Version: 0.1.1", await DpkgAsync(root, "-s", "kioskpos"), StringComparison.Ordinal);
        Assert.Equal("unsynced payments", await File.ReadAllTextAsync(data));
        Assert.Contains("pi5-em4100-tcp80", await File.ReadAllTextAsync(config), StringComparison.Ordinal);
        Assert.Contains("KIOSKPOS_SCREENS=hdmi2", await File.ReadAllTextAsync(screenEnv), StringComparison.Ordinal); // the technician's choice of screens too

        // Removed: the program goes, the data stays. Purged: the data goes too.
        await DpkgAsync(root, "-r", "kioskpos");
        Assert.False(File.Exists(Path.Combine(root, "opt/kioskpos/kioskpos-terminal")));
        Assert.Equal("unsynced payments", await File.ReadAllTextAsync(data));
        await DpkgAsync(root, "-P", "kioskpos");
        Assert.False(Directory.Exists(Path.Combine(root, "var/lib/kioskpos")));
    }

    // Runs a unit's ExecCondition= with the variables of its Environment= lines and of the environment file, expanding
    // "${NAME}" as systemd does (one argument, empty when unset); true when the unit would start.
    private static async Task<bool> ConditionAsync(string root, string unitName, string environmentFile)
    {
        var lines = await File.ReadAllLinesAsync(Path.Combine(root, "lib/systemd/system", unitName));
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines.Where(l => l.StartsWith("Environment=", StringComparison.Ordinal)))
        {
            foreach (var pair in line["Environment=".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                variables[pair[..pair.IndexOf('=', StringComparison.Ordinal)]] = pair[(pair.IndexOf('=', StringComparison.Ordinal) + 1)..];
            }
        }

        foreach (var line in (await File.ReadAllLinesAsync(environmentFile)).Where(l => l.Contains('=', StringComparison.Ordinal) && !l.TrimStart().StartsWith('#')))
        {
            variables[line[..line.IndexOf('=', StringComparison.Ordinal)].Trim()] = line[(line.IndexOf('=', StringComparison.Ordinal) + 1)..].Trim();
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

    // make deb's script, with a chosen version, the faster compression and a repository key made for the test.
    private async Task<string> BuildAsync(string repository, string published, string version) =>
        (await RunAsync("bash", ["-c", $"export KIOSKPOS_REPO_KEY_DIR='{Path.Combine(_work, "key")}'; bash '{Path.Combine(repository, "scripts/repo-key.sh")}' >/dev/null && " +
            $"KIOSKPOS_VERSION={version} KIOSKPOS_DEB_COMPRESSION=gzip bash '{Path.Combine(repository, "scripts/deb.sh")}' '{published}' '{Path.Combine(_work, version)}'"])).Trim();

    private static Task<string> DpkgAsync(string root, params string[] args) => RunAsync("dpkg",
        [$"--root={root}", $"--admindir={Path.Combine(root, "var/lib/dpkg")}", "--force-script-chrootless", "--force-not-root", "--force-architecture", "--force-depends",
         "--force-confold", "--log=/dev/null", .. args]);

    private static Task<string> RunAsync(string command, params string[] args) => RunAsync(command, (IEnumerable<string>)args);

    private static async Task<string> RunAsync(string command, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{command} {string.Join(' ', start.ArgumentList)} exited {process.ExitCode}: {await error}{await output}");
        return await output + await error;
    }
}
