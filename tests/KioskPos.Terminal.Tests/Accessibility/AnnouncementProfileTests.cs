using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Terminal.Speech;
using KioskPos.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace KioskPos.Terminal.Tests.Accessibility;

/// <summary>
/// Issue 25, the announcement as the hardware profile sets it: the profile's <c>speakerVolume</c> reaches espeak-ng as
/// its amplitude (the WAV of a confirmed payment is quieter in proportion, measured from its samples), and
/// <c>"announce": false</c> says nothing and writes no audio when the bank confirms. A real province and terminal on
/// 127.0.0.1, the terminal started on a profile file. (Card payments and other terminals' payments:
/// <see cref="SpeechTests.A_confirmed_VietQR_payment_is_announced_and_a_card_payment_or_another_terminals_is_not"/>.)
/// </summary>
public sealed class AnnouncementProfileTests
{
    [Fact]
    public async Task The_profiles_speaker_volume_is_espeaks_amplitude_for_the_announcement()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await StartOnProfileAsync(province, announce: true, volume: 30);
        var speech = terminal.App.Services.GetRequiredService<SpeechEngine>();

        await PayAndConfirmAsync(province, terminal);
        await Wait.UntilAsync(() => Task.FromResult(speech.Recent.Any(s => s.Kind == "announcement")), TimeSpan.FromSeconds(20), "the announcement");
        var announced = speech.Recent.Single(s => s.Kind == "announcement");
        Assert.Equal("Đã nhận bảy trăm năm mươi nghìn đồng", announced.Text);

        // The same words at the default volume (80: amplitude 160) and at the profile's 30 (amplitude 60): the same
        // length, and the profile's about 60/160 as loud (espeak-ng scales the samples; measured, not assumed).
        var loud = await speech.SpeakAsync("screen", announced.Text, 80, default);
        Assert.NotEqual(loud.File, announced.File);
        Assert.Equal(loud.Seconds, announced.Seconds, 2);
        var ratio = Rms(announced.File) / Rms(loud.File);
        Assert.InRange(ratio, 0.25, 0.55);
    }

    [Fact]
    public async Task A_profile_with_the_announcement_off_says_nothing_when_the_bank_confirms()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await StartOnProfileAsync(province, announce: false, volume: 80);
        var speech = terminal.App.Services.GetRequiredService<SpeechEngine>();

        await PayAndConfirmAsync(province, terminal);

        // The display turns to "paid" after the announcement would have been made (PaymentService.ApplyConfirmationAsync).
        await Wait.UntilAsync(async () => (await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/display")).GetProperty("state").GetString() == "confirmed", TimeSpan.FromSeconds(20), "the confirmation");
        Assert.DoesNotContain(speech.Recent, s => s.Kind == "announcement");
        var folder = Path.Combine(terminal.Folder, "speech");
        Assert.True(!Directory.Exists(folder) || Directory.GetFiles(folder, "*.wav").Length == 0, "no audio written");
    }

    private static async Task<TerminalHost> StartOnProfileAsync(ProvinceHost province, bool announce, int volume)
    {
        var profile = Path.Combine(Directory.CreateTempSubdirectory("kioskpos-profile-").FullName, "speaker.json");
        await File.WriteAllTextAsync(profile, JsonSerializer.Serialize(new
        {
            name = "speaker",
            cardReader = "simulated",
            printer = "emulator",
            gpio = "simulated",
            paperWidthMm = 80,
            announce,
            speakerVolume = volume,
        }));
        return await TerminalHost.StartAsync(province, extraArgs: [$"--Hardware:Profile={profile}", "--Speech:Player=none"]);
    }

    private static async Task PayAndConfirmAsync(ProvinceHost province, TerminalHost terminal)
    {
        using var response = await terminal.Http.PostAsJsonAsync("/api/v1/payments", new { clientRequestId = Guid.NewGuid().ToString(), method = "vietqr", payerCode = "HS240001", bills = new[] { new { billId = "HP-2611-HS240001" }, new { billId = "BT-2611-HS240001" } } });
        response.EnsureSuccessStatusCode();
        var payment = await response.Content.ReadFromJsonAsync<JsonElement>();
        await Wait.UntilDrainedAsync(terminal.Http, TimeSpan.FromSeconds(20));
        using var notified = await province.NotifyAsync(750_000, $"CT {payment.GetProperty("qr").GetProperty("transferCode").GetString()} hoc phi");
        notified.EnsureSuccessStatusCode();
    }

    // The root mean square of a 16-bit PCM WAV's samples (espeak-ng writes mono 22,050 Hz).
    private static double Rms(string file)
    {
        var bytes = File.ReadAllBytes(file);
        var data = bytes.AsSpan(44);
        double sum = 0;
        var count = data.Length / 2;
        for (var i = 0; i < count; i++)
        {
            double sample = BitConverter.ToInt16(data.Slice(i * 2, 2));
            sum += sample * sample;
        }

        return Math.Sqrt(sum / Math.Max(1, count));
    }
}
