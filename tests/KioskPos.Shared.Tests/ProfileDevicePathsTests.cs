using System.Text.Json;
using KioskPos.Shared.Contracts;

namespace KioskPos.Shared.Tests;

/// <summary>
/// The device files a pushed hardware profile may name, as the terminal checks them before keeping or running one.
/// The terminal reads a profile's names in any case and the last of a repeated name, so a check by exact name alone
/// would let <c>HeadphoneJack</c> or a second <c>printer</c> through unchecked.
/// </summary>
public sealed class ProfileDevicePathsTests
{
    private static string? Problem(string json)
    {
        using var document = JsonDocument.Parse(json);
        return ProfileDevicePaths.Problem(document.RootElement);
    }

    private const string Base = "\"name\":\"p\",\"cardReader\":\"simulated\",\"printer\":\"emulator\"";

    [Theory]
    [InlineData("\"HeadphoneJack\":\"/etc/passwd\"", "unknown field 'HeadphoneJack'")]
    [InlineData("\"PRINTER\":\"usb:/etc/kioskpos/terminal.db\"", "unknown field 'PRINTER'")]
    [InlineData("\"Display\":\"st7789:/etc/passwd\"", "unknown field 'Display'")]
    [InlineData("\"printer\":\"usb:/dev/usb/lp0\"", "printer: given twice")]
    [InlineData("\"headphoneJack\":\"/dev/input/event3\",\"headphoneJack\":\"/etc/passwd\"", "headphoneJack: given twice")]
    public void A_field_spelt_otherwise_or_given_twice_is_refused(string extra, string expected) =>
        Assert.StartsWith(expected, Problem($"{{{Base},{extra}}}"), StringComparison.Ordinal);

    [Theory]
    [InlineData("/dev/input/by-path/platform-soc:sound-event")]
    [InlineData("/dev/input/by-path/platform-fe980000.usb-usb-0:1.4:1.0-event")]
    [InlineData("/dev/input/event4")]
    [InlineData("auto")]
    public void A_headphone_jack_named_as_Linux_names_input_devices_is_taken(string jack) =>
        Assert.Null(Problem($"{{{Base},\"headphoneJack\":\"{jack}\"}}"));

    [Fact]
    public void The_repositorys_own_profiles_name_only_known_fields_once() =>
        Assert.All(Directory.GetFiles(Path.Combine(Root(), "hardware", "profiles"), "*.json"),
            file => Assert.Null(Problem(File.ReadAllText(file))));

    private static string Root()
    {
        var folder = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(folder, "KioskPos.sln")))
        {
            folder = Path.GetDirectoryName(folder) ?? throw new InvalidOperationException("KioskPos.sln not found above the test folder.");
        }

        return folder;
    }
}
