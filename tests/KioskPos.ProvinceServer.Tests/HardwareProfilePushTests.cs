using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using KioskPos.Firmware.Devices;
using KioskPos.ProvinceServer.Data;

namespace KioskPos.ProvinceServer.Tests;

/// <summary>
/// The province pushes what the terminal reads (<see cref="HardwareProfile"/>): every profile the repository ships, and
/// every field of one, is taken by PUT /api/v1/admin/terminals/{id}/hardware-profile on a real server on 127.0.0.1;
/// a value the terminal would not run is a 400 invalid_profile naming the field. (That a pushed profile reaches the
/// terminal and loads as written: PushedProfileTests in the terminal's tests.)
/// </summary>
public sealed class HardwareProfilePushTests
{
    private const string Terminal = "/api/v1/admin/terminals/KP-THCS-ND-01/hardware-profile";

    private static readonly string s_profiles = Path.Combine(RepositoryRoot.Find(), "hardware", "profiles");

    // A profile with every field set to something other than its default: a panel on SPI0 CE1 beside an MFRC522 on CE0,
    // every pin, the cash drawer, the announcement off, a quiet speaker, a headphone jack by path.
    private static HardwareProfile Everything => new()
    {
        Name = "everything",
        Description = "every field the terminal reads",
        CardReader = "mfrc522:/dev/spidev0.0:reset=25",
        Printer = "usb:/dev/usb/lp0",
        Display = "spi:ili9341:/dev/spidev0.1:dc=24:rst=23:bl=18:rotation=90",
        PaperWidthMm = 80,
        PrinterTextMode = "tcvn3",
        Gpio = "chip",
        LightPin = 17,
        BuzzerPin = 27,
        HelpButtonPin = 22,
        ReceiptBarcode = true,
        CashDrawerPin = 5,
        Announce = false,
        SpeakerVolume = 35,
        HeadphoneJack = "/dev/input/by-path/platform-3f00b840.mailbox-event",
    };

    [Fact]
    public async Task Every_profile_in_hardware_profiles_is_taken_and_stored_as_written()
    {
        await using var province = await ProvinceHost.StartAsync();
        var files = Directory.GetFiles(s_profiles, "*.json").Order(StringComparer.Ordinal).ToArray();
        Assert.True(files.Length >= 8, $"profiles in {s_profiles}: {files.Length}");

        // The simulated one too: the province pushes simulators as any other profile, and a terminal runs one only
        // when it allows simulators (TerminalApp), so the same file serves make run and the tests.
        foreach (var file in files)
        {
            var text = await File.ReadAllTextAsync(file);
            using var answer = await province.Admin.PutAsync(Terminal, Json(text));
            Assert.True(answer.StatusCode == HttpStatusCode.NoContent, $"{Path.GetFileName(file)}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
            Assert.Equal(Normalised(text), Normalised((string)(await province.ScalarAsync("SELECT hardware_profile FROM terminals WHERE id = 'KP-THCS-ND-01'"))!));
        }
    }

    [Fact]
    public async Task A_profile_with_every_field_the_terminal_reads_is_taken()
    {
        await using var province = await ProvinceHost.StartAsync();
        using var answer = await province.Admin.PutAsync(Terminal, Json(Serialised(Everything)));
        Assert.True(answer.StatusCode == HttpStatusCode.NoContent, $"{(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public void The_province_knows_exactly_the_fields_the_terminal_reads() =>
        Assert.Equal(
            JsonNode.Parse(Serialised(Everything))!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal),
            HardwareProfileCheck.Fields.Order(StringComparer.Ordinal));

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("push hardware profiles whose display is /etc/passwd or an input device, whose panel pin is lightPin's or SPI0's, whose cashDrawerPin is 3, speakerVolume 101, -1 or 80.5, headphoneJack /etc/passwd, announce \"yes\"",
        "400 invalid_profile naming the field, the terminal's profile unchanged; the same fields with values the terminal runs are taken")]
    public async Task A_value_of_a_terminal_field_it_would_not_run_is_refused_naming_the_field()
    {
        await using var province = await ProvinceHost.StartAsync();
        var shipped = await File.ReadAllTextAsync(Path.Combine(s_profiles, "pi4-rc522-usb80-ili9341.json"));
        using (var first = await province.Admin.PutAsync(Terminal, Json(shipped)))
        {
            Assert.True(first.StatusCode == HttpStatusCode.NoContent, $"{(int)first.StatusCode} {await first.Content.ReadAsStringAsync()}");
        }

        (string Field, string Value, string Named)[] refused =
        [
            ("display", "\"spi:ili9341:/etc/passwd:dc=24\"", "display"),
            ("display", "\"ili9341:/dev/input/event0:dc=24\"", "display"),
            ("display", "\"st7789:/dev/usb/lp0:dc=24\"", "display"),
            ("display", "\"ili9341:/dev/spidev0.1:dc=17:rst=23:bl=18\"", "lightPin"),
            ("display", "\"ili9341:/dev/spidev0.1:dc=24:rst=23:bl=9\"", "display"),
            ("display", "\"ili9341:/dev/spidev0.1:dc=24:rst=28\"", "display"),
            ("display", "\"spi:ssd1306:/dev/spidev0.1:dc=24\"", "display"),
            ("display", "\"hdmi3\"", "display"),
            ("display", "42", "display"),
            ("display", "null", "display"),
            ("cashDrawerPin", "3", "cashDrawerPin"),
            ("cashDrawerPin", "\"2\"", "cashDrawerPin"),
            ("speakerVolume", "101", "speakerVolume"),
            ("speakerVolume", "-1", "speakerVolume"),
            ("speakerVolume", "80.5", "speakerVolume"),
            ("speakerVolume", "null", "speakerVolume"),
            ("announce", "\"yes\"", "announce"),
            ("announce", "null", "announce"),
            ("receiptBarcode", "1", "receiptBarcode"),
            ("headphoneJack", "\"/etc/passwd\"", "headphoneJack"),
            ("headphoneJack", "\"/dev/input/../../etc/passwd\"", "headphoneJack"),
            ("headphoneJack", "\"/dev/snd/controlC0\"", "headphoneJack"),
            ("headphoneJack", "17", "headphoneJack"),
        ];
        foreach (var (field, value, named) in refused)
        {
            using var answer = await province.Admin.PutAsync(Terminal, Json(With(shipped, field, value)));
            await AdminInputRefusalTests.AssertNamesAsync(answer, "invalid_profile", named, $"{field}: {value}");
        }

        Assert.Equal(Normalised(shipped), Normalised((string)(await province.ScalarAsync("SELECT hardware_profile FROM terminals WHERE id = 'KP-THCS-ND-01'"))!));

        // The edges the terminal runs are taken.
        (string Field, string Value)[] taken =
        [
            ("display", "\"spi:st7789:simulated:dc=24\""), ("display", "\"hdmi2\""), ("display", "\"browser\""),
            ("cashDrawerPin", "2"), ("cashDrawerPin", "null"), ("speakerVolume", "0"), ("speakerVolume", "100"),
            ("announce", "false"), ("receiptBarcode", "true"),
            ("headphoneJack", "\"auto\""), ("headphoneJack", "\"none\""), ("headphoneJack", "\"/dev/input/event3\""), ("headphoneJack", "null"),
        ];
        foreach (var (field, value) in taken)
        {
            using var answer = await province.Admin.PutAsync(Terminal, Json(With(shipped, field, value)));
            Assert.True(answer.StatusCode == HttpStatusCode.NoContent, $"{field}: {value}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("push hardware profiles whose MFRC522 reset pin is lightPin's, 9 or 28, whose pins take SPI0's 7-11 beside an MFRC522, whose panel reset is the reader's, or whose cardReader the terminal cannot read (reset=abc, a fourth part, an unknown number format, no reader at all)",
        "400 invalid_profile naming cardReader or the pin field, the terminal's profile unchanged; the same readers with pins the terminal runs are taken")]
    public async Task A_card_reader_pin_or_an_SPI0_pin_beside_an_MFRC522_is_refused_naming_the_field()
    {
        await using var province = await ProvinceHost.StartAsync();
        // An MFRC522 on SPI0 CE0 with its reset on GPIO 25; the light on 17, the buzzer on 27, the help button on 22.
        var shipped = await File.ReadAllTextAsync(Path.Combine(s_profiles, "pi4-rc522-usb80.json"));
        using (var first = await province.Admin.PutAsync(Terminal, Json(shipped)))
        {
            Assert.True(first.StatusCode == HttpStatusCode.NoContent, $"{(int)first.StatusCode} {await first.Content.ReadAsStringAsync()}");
        }

        // Each refused by the terminal at start (HardwareProfile.Validate), which would keep its old profile.
        (string Patch, string Named)[] refused =
        [
            ("""{ "lightPin": 25 }""", "lightPin"),
            ("""{ "cardReader": "mfrc522:/dev/spidev0.0:reset=17" }""", "lightPin"),
            ("""{ "lightPin": 8 }""", "lightPin"),
            ("""{ "buzzerPin": 10 }""", "buzzerPin"),
            ("""{ "helpButtonPin": 7 }""", "helpButtonPin"),
            ("""{ "helpButtonPin": 11 }""", "helpButtonPin"),
            ("""{ "cardReader": "evdev:/dev/input/event0,mfrc522:/dev/spidev0.1", "lightPin": 9 }""", "lightPin"),
            ("""{ "cardReader": "mfrc522:/dev/spidev0.0:reset=9" }""", "cardReader"),
            ("""{ "cardReader": "mfrc522:/dev/spidev0.0:reset=28" }""", "cardReader"),
            ("""{ "display": "ili9341:/dev/spidev0.1:dc=24:rst=25" }""", "display"),
            ("""{ "cardReader": "mfrc522:/dev/spidev0.0:reset=abc" }""", "cardReader"),
            ("""{ "cardReader": "mfrc522:/dev/spidev0.0:rst=25" }""", "cardReader"),
            ("""{ "cardReader": "mfrc522:/dev/spidev0.0:reset=25:fast" }""", "cardReader"),
            ("""{ "cardReader": "evdev:/dev/input/event0:octal" }""", "cardReader"),
            ("""{ "cardReader": "serial:/dev/ttyUSB0:fast" }""", "cardReader"),
            ("""{ "cardReader": "scanner:/dev/input/event1:hex" }""", "cardReader"),
            ("""{ "cardReader": " , " }""", "cardReader"),
        ];
        foreach (var (patch, named) in refused)
        {
            using var answer = await province.Admin.PutAsync(Terminal, Json(Patched(shipped, patch)));
            await AdminInputRefusalTests.AssertNamesAsync(answer, "invalid_profile", named, patch);
        }

        Assert.Equal(Normalised(shipped), Normalised((string)(await province.ScalarAsync("SELECT hardware_profile FROM terminals WHERE id = 'KP-THCS-ND-01'"))!));

        // The edges the terminal runs: no reset pin, a reset pin beside SPI0's, SPI0's pins when nothing is on SPI0.
        string[] taken =
        [
            """{ "cardReader": "mfrc522:/dev/spidev0.0", "lightPin": 25 }""",
            """{ "cardReader": "mfrc522:/dev/spidev0.0:reset=6" }""",
            """{ "cardReader": "mfrc522:/dev/spidev0.0:reset=12" }""",
            """{ "cardReader": "evdev:/dev/input/event0:hex", "lightPin": 8, "buzzerPin": 10, "helpButtonPin": 25 }""",
            """{ "cardReader": "serial:/dev/ttyUSB0:9600:em4100:hex,scanner:/dev/input/event1", "lightPin": 7 }""",
        ];
        foreach (var patch in taken)
        {
            using var answer = await province.Admin.PutAsync(Terminal, Json(Patched(shipped, patch)));
            Assert.True(answer.StatusCode == HttpStatusCode.NoContent, $"{patch}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public void The_province_refuses_a_profile_for_its_pins_exactly_when_the_terminal_does()
    {
        // Every combination of readers, display and the light's, buzzer's and help button's pins, with every other field
        // one both sides take and every device file there: the province's check (HardwareProfileCheck) and the
        // terminal's start-up check (HardwareProfile.Validate) take and refuse the same ones. A guard against drift:
        // a pin one side gives out and the other does not, or SPI0 taken on one side only, shows here.
        string[] readers =
        [
            "simulated", "evdev:/dev/input/event0", "serial:/dev/ttyUSB0:9600:em4100", "mfrc522:/dev/spidev0.0", "mfrc522:/dev/spidev0.0:reset=25",
            "mfrc522:/dev/spidev0.0:reset=8", "mfrc522:/dev/spidev0.0:reset=28", "mfrc522:/dev/spidev0.0:reset=-1", "mfrc522:/dev/spidev1.0:reset=24",
            "evdev:/dev/input/event0,mfrc522:/dev/spidev0.1:reset=17", "MFRC522:/dev/spidev0.0:reset=23", "mfrc522:/dev/spidev0.0:reset=x",
            "scanner:/dev/input/event1:hex",
        ];
        string[] displays =
        [
            "browser", "hdmi2", "ili9341:/dev/spidev0.1:dc=24:rst=23:bl=18", "st7789:/dev/spidev1.0:dc=25:bl=8", "spi:st7789:simulated:dc=9",
        ];
        (int? Light, int? Buzzer, int? Help)[] pins =
        [
            (null, null, null), (17, 27, 22), (25, null, null), (8, null, null), (null, 10, null), (null, null, 7), (12, null, null),
            (24, null, null), (23, 23, null), (null, null, 28), (6, 11, null),
        ];

        var disagreements = new List<string>();
        var refused = 0;
        var cases = 0;
        foreach (var reader in readers)
        {
            foreach (var display in displays)
            {
                foreach (var (light, buzzer, help) in pins)
                {
                    var profile = new HardwareProfile
                    {
                        Name = "pins", CardReader = reader, Printer = "usb:/dev/usb/lp0", Display = display, LightPin = light, BuzzerPin = buzzer, HelpButtonPin = help,
                    };
                    var terminal = profile.Validate(_ => true);
                    var province = HardwareProfileCheck.Problem(Serialised(profile));
                    cases++;
                    refused += terminal.Count > 0 ? 1 : 0;
                    if ((province is null) != (terminal.Count == 0))
                    {
                        disagreements.Add($"{reader} | {display} | light {light}, buzzer {buzzer}, help {help}: province {province ?? "takes it"}; terminal {(terminal.Count == 0 ? "runs it" : string.Join(" ", terminal))}");
                    }
                }
            }
        }

        Assert.True(disagreements.Count == 0, $"{disagreements.Count} of {cases} disagree:\n{string.Join("\n", disagreements)}");
        Assert.InRange(refused, cases / 4, cases * 3 / 4);
    }

    private static StringContent Json(string text) => new(text, System.Text.Encoding.UTF8, "application/json");

    private static string With(string profile, string field, string value)
    {
        var json = JsonNode.Parse(profile)!.AsObject();
        json[field] = JsonNode.Parse(value);
        return json.ToJsonString();
    }

    private static string Patched(string profile, string patch)
    {
        var json = JsonNode.Parse(profile)!.AsObject();
        foreach (var (field, value) in JsonNode.Parse(patch)!.AsObject())
        {
            json[field] = value?.DeepClone();
        }

        return json.ToJsonString();
    }

    private static string Normalised(string json) => JsonNode.Parse(json)!.ToJsonString();

    // As the terminal's HardwareProfileJsonContext names the fields (web defaults: camelCase), every one written.
    private static string Serialised(HardwareProfile profile) => JsonSerializer.Serialize(profile, new JsonSerializerOptions(JsonSerializerDefaults.Web));
}
