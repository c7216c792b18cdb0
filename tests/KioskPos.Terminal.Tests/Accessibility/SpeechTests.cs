using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Core.Domain;
using KioskPos.Shared.Contracts;
using KioskPos.Storage;
using KioskPos.Terminal.Services;
using KioskPos.Terminal.Speech;
using KioskPos.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace KioskPos.Terminal.Tests.Accessibility;

/// <summary>
/// The terminal speaks with espeak-ng's Vietnamese voice (Debian's package): the QR screen's words (the amount in words,
/// the recipient, the account's last digits, the transfer text spelled) and a WAV of a plausible length for them; the
/// announcement "Đã nhận … đồng" for a VietQR payment the bank confirmed, and none for a card payment or for a
/// payment of another terminal.
/// </summary>
public sealed class SpeechTests : TerminalTest
{
    protected override Task<TerminalHost> StartTerminalAsync(ProvinceHost province) => TerminalHost.StartAsync(province, extraArgs: ["--Speech:Player=none"]);

    private SpeechEngine Speech => Terminal.App.Services.GetRequiredService<SpeechEngine>();

    [Fact]
    public void Amounts_read_as_words_and_codes_one_character_at_a_time()
    {
        Assert.Equal("một triệu hai trăm năm mươi nghìn đồng", SpeechTexts.Amount(1_250_000));
        Assert.Equal("ca, pê, một, không, ét", SpeechTexts.Spell("KP10s"));
        Assert.Equal("Đã nhận bảy trăm năm mươi nghìn đồng", SpeechTexts.Announcement(750_000));
    }

    [Fact]
    public async Task The_QR_screen_is_spoken_with_the_amount_in_words_as_audio_of_a_plausible_length()
    {
        var payment = await PayByQrAsync();
        var code = payment.GetProperty("qr").GetProperty("transferCode").GetString()!;
        using var response = await Terminal.Http.PostAsJsonAsync("/api/v1/speech", new { screen = "qr" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var view = await response.Content.ReadFromJsonAsync<JsonElement>();
        var text = view.GetProperty("text").GetString()!;
        Assert.Contains("bảy trăm năm mươi nghìn đồng", text, StringComparison.Ordinal);
        Assert.Contains("tài khoản có đuôi sáu, bảy, tám, chín", text, StringComparison.Ordinal); // 1023456789
        Assert.Contains(SpeechTexts.Spell(code), text, StringComparison.Ordinal);
        Assert.Contains("kiểm tra ứng dụng ngân hàng", text, StringComparison.Ordinal);

        // What espeak-ng was given and what it wrote: a real WAV whose length fits the words (about 2–3 words a second).
        var spoken = Speech.Recent[0];
        Assert.Equal(text, spoken.Text);
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        Assert.InRange(spoken.Seconds, words * 0.2, words * 1.0);
        Assert.Equal("RIFF", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(spoken.File).AsSpan(0, 4)));
        Assert.True(new FileInfo(spoken.File).Length > 16_000 * spoken.Seconds, "the WAV holds samples for its length");
        Assert.Equal(view.GetProperty("seconds").GetDouble(), Math.Round(spoken.Seconds, 2));
    }

    [Fact]
    public async Task A_page_cannot_make_the_terminal_say_what_it_likes()
    {
        using var free = await Terminal.Http.PostAsJsonAsync("/api/v1/speech", new { screen = "Chuyển tiền vào tài khoản 999" });
        Assert.Equal(HttpStatusCode.BadRequest, free.StatusCode);
        using var keys = await Terminal.Http.PostAsJsonAsync("/api/v1/speech", new { screen = "msg", keys = new[] { "terminal.status.title", "kiosk.unknown" } });
        Assert.Equal(HttpStatusCode.OK, keys.StatusCode);
        Assert.Equal("Thẻ không được nhận ra", (await keys.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("text").GetString()); // kiosk. and display. keys only
        using var big = await Terminal.Http.PostAsync("/api/v1/speech", new StringContent(new string(' ', 5000) + "{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);
        using var malformed = await Terminal.Http.PostAsync("/api/v1/speech", new StringContent("{\"screen\":", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
    }

    [Fact]
    public async Task A_cached_sound_that_does_not_read_is_removed_and_made_again_not_a_crash()
    {
        // A power cut can leave a cached WAV cut short; reading its length threw InvalidDataException, which the
        // confirmation listener (announcing a payment) does not expect. Now: refused as speech unavailable, the file
        // removed, and the next time makes it again.
        var first = await Speech.SpeakAsync("test", "Thử bộ nhớ đệm một hai ba", 50, CancellationToken.None);
        File.WriteAllBytes(first.File, System.Text.Encoding.ASCII.GetBytes("RIFF"));
        await Assert.ThrowsAsync<SpeechUnavailableException>(() => Speech.SpeakAsync("test", "Thử bộ nhớ đệm một hai ba", 50, CancellationToken.None));
        Assert.False(File.Exists(first.File), "the unreadable cached sound is removed");
        var again = await Speech.SpeakAsync("test", "Thử bộ nhớ đệm một hai ba", 50, CancellationToken.None);
        Assert.Equal(first.File, again.File);
        Assert.InRange(again.Seconds, 0.5, 10.0);
    }

    [Fact]
    public async Task A_confirmed_VietQR_payment_is_announced_and_a_card_payment_or_another_terminals_is_not()
    {
        var payment = await PayByQrAsync();
        await Wait.UntilDrainedAsync(Terminal.Http, TimeSpan.FromSeconds(20));
        using (var notified = await Province.NotifyAsync(750_000, $"CT {payment.GetProperty("qr").GetProperty("transferCode").GetString()} hoc phi"))
        {
            notified.EnsureSuccessStatusCode();
        }

        await Wait.UntilAsync(() => Task.FromResult(Speech.Recent.Any(s => s.Kind == "announcement")), TimeSpan.FromSeconds(20), "the announcement");
        var announcement = Speech.Recent.Single(s => s.Kind == "announcement");
        Assert.Equal("Đã nhận bảy trăm năm mươi nghìn đồng", announcement.Text);
        Assert.InRange(announcement.Seconds, 1.0, 10.0);

        // The same confirmation for a card payment, and for another terminal's payment: nothing said.
        var stored = await Terminal.App.Services.GetRequiredService<PaymentStore>().GetAsync(payment.GetProperty("id").GetString()!);
        Assert.NotNull(stored);
        var announcer = Terminal.App.Services.GetRequiredService<PaymentAnnouncer>();
        var confirmation = new ConfirmationDto(99, stored.Id, stored.Qr!.TransferCode, TransferOutcomes.Paid, 750_000, 750_000, 750_000, 0, "FT-X", DateTimeOffset.UtcNow, []);
        Assert.Null(await announcer.AnnounceAsync(stored with { Method = PaymentMethod.CardBalance }, confirmation, default));
        var other = stored with { TerminalId = "KP-TTYT-CT-01", Id = "KP-TTYT-CT-01-00000001" };
        Assert.Null(await announcer.AnnounceAsync(other, confirmation with { PaymentId = other.Id }, default));

        // Through the terminal's own path: a confirmation naming another terminal's payment is not this one's to announce.
        var before = Speech.Recent.Count;
        await Terminal.App.Services.GetRequiredService<PaymentService>().ApplyConfirmationAsync(confirmation with { Id = 100, PaymentId = other.Id }, default);
        Assert.Equal(before, Speech.Recent.Count);
    }

    private async Task<JsonElement> PayByQrAsync()
    {
        using var response = await Terminal.Http.PostAsJsonAsync("/api/v1/payments", new { clientRequestId = Guid.NewGuid().ToString(), method = "vietqr", payerCode = "HS240001", bills = new[] { new { billId = "HP-2611-HS240001" }, new { billId = "BT-2611-HS240001" } } });
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
