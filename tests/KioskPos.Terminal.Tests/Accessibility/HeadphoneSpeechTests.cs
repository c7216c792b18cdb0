using System.Buffers.Binary;
using System.Diagnostics;
using KioskPos.Terminal.Speech;
using KioskPos.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace KioskPos.Terminal.Tests.Accessibility;

/// <summary>
/// Issue 24, speech switched on when headphones are plugged in: the terminal watches the headphone jack's input device
/// (<c>Hardware:HeadphoneJack</c>, here a FIFO fed the kernel's evdev records: EV_SW, SW_HEADPHONE_INSERT, value 1
/// then 0, each with its SYN_REPORT), and the kiosk and the customer display, open in Debian's Chromium, switch their
/// speech on (the screen is spoken by espeak-ng at once) when they are plugged in and off when they are pulled out.
/// </summary>
[Trait("Category", "Browser")]
public sealed class HeadphoneSpeechTests : TerminalBrowserTest
{
    private string _jack = null!;

    protected override bool StartsOnline => false;

    protected override async Task<TerminalHost> StartTerminalAsync(ProvinceHost province)
    {
        _jack = await MakeFifoAsync("jack-", "event3");
        return await TerminalHost.StartAsync(province, extraArgs: [$"--Hardware:HeadphoneJack={_jack}", "--Speech:Player=none"]);
    }

    [Fact]
    public async Task Headphones_plugged_in_switch_speech_on_at_the_kiosk_and_the_display_and_pulled_out_off()
    {
        var kiosk = await OpenAsync("/kiosk", "document.getElementById('inst').textContent !== 'KioskPos'");
        var display = await OpenAsync("/display", "document.body.dataset.state === 'idle'");
        Assert.Equal(("false", "false"), (await kiosk.GetAttributeAsync("#speak", "aria-pressed"), await display.GetAttributeAsync("#speak", "aria-pressed")));
        var speech = Terminal.App.Services.GetRequiredService<SpeechEngine>();
        var headphones = Terminal.App.Services.GetRequiredService<Headphones>();

        await JackAsync(1, () => headphones.Plugged == true);
        foreach (var page in new[] { kiosk, display })
        {
            await page.WaitForSelectorAsync("body[data-headphones=in]");
            await page.WaitForSelectorAsync("#speak[aria-pressed=true]");
        }

        // Each screen asked the terminal to speak it, and espeak-ng did: the kiosk's welcome and the display's.
        await Wait.UntilAsync(() => Task.FromResult(speech.Recent.Count(s => s.Kind == "screen") >= 2), TimeSpan.FromSeconds(20), "both screens spoken");
        Assert.All(speech.Recent.Where(s => s.Kind == "screen"), s => Assert.True(s.Seconds > 0.5, $"'{s.Text}' spoken for {s.Seconds} s"));
        await kiosk.WaitForFunctionAsync("document.body.dataset.spoken && document.body.dataset.spoken.length > 0");

        // A page opened while they are in learns it at once.
        var late = await OpenAsync("/kiosk", "document.body.dataset.headphones === 'in'");
        Assert.Equal("true", await late.GetAttributeAsync("#speak", "aria-pressed"));

        await JackAsync(0, () => headphones.Plugged == false);
        foreach (var page in new[] { kiosk, display, late })
        {
            await page.WaitForSelectorAsync("body[data-headphones=out]");
            await page.WaitForSelectorAsync("#speak[aria-pressed=false]");
        }

        // Switched off, a new screen is not spoken.
        var spoken = speech.Recent.Count;
        await Terminal.TapAsync("04FFEE01"); // an unknown card: the kiosk shows its message
        await kiosk.WaitForSelectorAsync("body[data-screen=msg]");
        await Task.Delay(500);
        Assert.Equal(spoken, speech.Recent.Count);
    }

    private async Task<IPage> OpenAsync(string path, string ready)
    {
        var page = await NewPageAsync(1024, 600);
        await page.GotoAsync(new Uri(Terminal.Http.BaseAddress!, path).ToString());
        await page.WaitForFunctionAsync(ready);
        return page;
    }

    // The jack's records as the kernel writes them (24 bytes on this 64-bit machine): the switch, then SYN_REPORT; written
    // again when a write landed while the reader was reopening the FIFO.
    private async Task JackAsync(int value, Func<bool> heard)
    {
        var bytes = Record(0x05, 0x02, value).Concat(Record(0, 0, 0)).ToArray();
        for (var deadline = DateTime.UtcNow.AddSeconds(15); DateTime.UtcNow < deadline && !heard();)
        {
            await using (var writer = new FileStream(_jack, FileMode.Open, FileAccess.Write))
            {
                await writer.WriteAsync(bytes);
            }

            for (var again = DateTime.UtcNow.AddSeconds(2); DateTime.UtcNow < again && !heard();)
            {
                await Task.Delay(20);
            }
        }

        Assert.True(heard(), $"the terminal heard the jack say {value}");
    }

    private static byte[] Record(ushort type, ushort code, int value)
    {
        var record = new byte[24];
        BinaryPrimitives.WriteInt64LittleEndian(record, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(16), type);
        BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(18), code);
        BinaryPrimitives.WriteInt32LittleEndian(record.AsSpan(20), value);
        return record;
    }
}
