using KioskPos.Firmware.Devices;

namespace KioskPos.Firmware.Tests.Readers;

/// <summary>The profiles shipped in hardware/profiles, and the start-up check that tells a technician what to do.</summary>
public class HardwareProfileTests
{
    private static readonly string s_profiles = Path.Combine(RepositoryRoot(), "hardware", "profiles");

    public static TheoryData<string> Shipped => [.. Directory.GetFiles(s_profiles, "*.json").Select(f => Path.GetFileName(f))];

    [Theory]
    [MemberData(nameof(Shipped))]
    public void Every_shipped_profile_is_valid_when_its_devices_are_there(string file)
    {
        var profile = HardwareProfile.Load(Path.Combine(s_profiles, file));
        Assert.Equal(Path.GetFileNameWithoutExtension(file), profile.Name);
        Assert.Empty(profile.Validate(_ => true));
    }

    [Fact]
    public void The_simulated_profile_starts_on_any_machine() =>
        Assert.Empty(HardwareProfile.Load(Path.Combine(s_profiles, "simulated.json")).Validate());

    [Fact]
    public void A_missing_spi_device_says_how_to_enable_spi()
    {
        var profile = HardwareProfile.Load(Path.Combine(s_profiles, "pi4-rc522-usb80.json"));
        var problems = profile.Validate(path => path != "/dev/spidev0.0");
        Assert.Contains("dtparam=spi=on", Assert.Single(problems), StringComparison.Ordinal);
    }

    [Fact]
    public void Absent_devices_pins_used_twice_and_spi_pins_are_each_named()
    {
        var profile = new HardwareProfile
        {
            Name = "broken",
            CardReader = "mfrc522:/dev/spidev0.0:reset=25,evdev:/dev/input/by-id/usb-x-event-kbd",
            Printer = "usb:/dev/usb/lp0",
            PaperWidthMm = 76,
            LightPin = 25,
            BuzzerPin = 10,
            HelpButtonPin = 40,
        };
        var problems = profile.Validate(_ => false);
        Assert.Contains(problems, p => p.Contains("/dev/spidev0.0 is missing", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("/dev/input/by-id/usb-x-event-kbd is missing", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("/dev/usb/lp0 is missing", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("GPIO 25 is used twice: reader reset and status light", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("GPIO 10 (buzzer) belongs to SPI0", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("GPIO 40 (help button) is not a header GPIO", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("58 or 80", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("/dev/gpiochip0 is missing", StringComparison.Ordinal));
        Assert.Equal(8, problems.Count);
    }

    [Fact]
    public void Announce_and_speaker_volume_left_out_of_a_file_keep_their_defaults()
    {
        // The source generator sets every init-only property it has a constructor slot for, present in the file or not:
        // a default on an init-only property would read as false and 0 (no announcement, silent).
        var file = Path.Combine(Directory.CreateTempSubdirectory("profile-").FullName, "quiet.json");
        File.WriteAllText(file, """{ "name": "quiet", "cardReader": "simulated", "printer": "emulator" }""");
        var profile = HardwareProfile.Load(file);
        Assert.Equal((true, 80, "browser", 58, "raster", "chip"), (profile.Announce, profile.SpeakerVolume, profile.Display, profile.PaperWidthMm, profile.PrinterTextMode, profile.Gpio));
    }

    [Theory]
    [InlineData(101)]
    [InlineData(-1)]
    public void A_speaker_volume_outside_0_to_100_in_the_terminals_own_profile_does_not_stop_it(int volume)
    {
        // The province refuses it before pushing (ProfileValues, HardwareProfilePushTests); a terminal's own profile
        // with it still starts, the speech engine clamping the volume (SpeechEngine: amplitude = Clamp(volume, 0,
        // 100) * 2) as it does the Hardware:SpeakerVolume setting: an upgraded terminal does not stop taking payments
        // over its announcement's volume.
        var profile = new HardwareProfile { Name = "loud", CardReader = "simulated", Printer = "emulator", Gpio = "simulated", SpeakerVolume = volume };
        Assert.Empty(profile.Validate(_ => true));
        Assert.Equal($"speakerVolume must be 0 to 100 (0: silent), not {volume}.", KioskPos.Core.Hardware.ProfileValues.SpeakerVolumeProblem(volume));
    }

    [Theory]
    [InlineData("Simulated", "usb:/dev/usb/lp0", "chip")]
    [InlineData("SIMULATED,evdev:/dev/input/event0", "usb:/dev/usb/lp0", "chip")]
    [InlineData("mfrc522:/dev/spidev0.0", "Emulator", "chip")]
    [InlineData("mfrc522:/dev/spidev0.0", "usb:/dev/usb/lp0", "Simulated")]
    public void A_simulator_named_in_another_case_is_a_simulator(string cardReader, string printer, string gpio)
    {
        // The readers' setting is read whatever the case of its kind (CardReaderSetting), so "Simulated" runs the
        // simulated reader: a real terminal must refuse such a pushed profile as a simulator, not start one it
        // cannot (a Pi build has no simulators; it would fail at every start).
        Assert.True(new HardwareProfile { Name = "p", CardReader = cardReader, Printer = printer, Gpio = gpio }.IsSimulated);
        Assert.False(new HardwareProfile { Name = "p", CardReader = "mfrc522:/dev/spidev0.0", Printer = "usb:/dev/usb/lp0" }.IsSimulated);
    }

    [Fact]
    public void A_profile_with_an_unknown_field_is_refused_with_the_file_named()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("profile-").FullName, "typo.json");
        File.WriteAllText(file, """{ "name": "typo", "cardReader": "simulated", "printer": "emulator", "ligthPin": 17 }""");
        var error = Assert.Throws<InvalidOperationException>(() => HardwareProfile.Load(file));
        Assert.Contains(file, error.Message, StringComparison.Ordinal);
        Assert.Contains("ligthPin", error.Message, StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        var folder = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(folder, "KioskPos.sln")))
        {
            folder = Path.GetDirectoryName(folder) ?? throw new InvalidOperationException("KioskPos.sln not found above the test folder.");
        }

        return folder;
    }
}
