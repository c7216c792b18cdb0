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

    public void Dispose() => Directory.Delete(_work, recursive: true);

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
            "./lib/udev/rules.d/60-kioskpos.rules", "./etc/kioskpos/terminal.json", "./etc/chromium/policies/managed/kioskpos.json", "./usr/share/kioskpos/profiles/pi4-rc522-usb80.json" })
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
        foreach (var dependency in new[] { "usr/bin/cage", "usr/bin/chromium" })
        {
            await File.WriteAllTextAsync(Path.Combine(root, dependency), "#!/bin/sh\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(Path.Combine(root, dependency), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        var verify = await RunAsync("systemd-analyze", "verify", $"--root={root}",
            Path.Combine(root, "lib/systemd/system/kioskpos-terminal.service"), Path.Combine(root, "lib/systemd/system/kioskpos-kiosk.service"));
        Assert.Equal(string.Empty, verify.Trim());

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

        // Removed: the program goes, the data stays. Purged: the data goes too.
        await DpkgAsync(root, "-r", "kioskpos");
        Assert.False(File.Exists(Path.Combine(root, "opt/kioskpos/kioskpos-terminal")));
        Assert.Equal("unsynced payments", await File.ReadAllTextAsync(data));
        await DpkgAsync(root, "-P", "kioskpos");
        Assert.False(Directory.Exists(Path.Combine(root, "var/lib/kioskpos")));
    }

    // make deb's script, with a chosen version and the faster compression.
    private async Task<string> BuildAsync(string repository, string published, string version) =>
        (await RunAsync("bash", ["-c", $"KIOSKPOS_VERSION={version} KIOSKPOS_DEB_COMPRESSION=gzip bash '{Path.Combine(repository, "scripts/deb.sh")}' '{published}' '{Path.Combine(_work, version)}'"])).Trim();

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
