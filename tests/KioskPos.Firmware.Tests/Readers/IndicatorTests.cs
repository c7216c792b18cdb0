using System.Device.Gpio;
using KioskPos.Firmware.Indicators;
using KioskPos.Hardware.Simulators.Gpio;
using Microsoft.Extensions.Time.Testing;

namespace KioskPos.Firmware.Tests.Readers;

/// <summary>The status light, buzzer and help button through <see cref="GpioController"/> on the simulated GPIO chip, on a fake clock.</summary>
public sealed class IndicatorTests : IDisposable
{
    private const int LightPin = 17;
    private const int BuzzerPin = 27;
    private const int ButtonPin = 22;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.FromHours(7)));
    private readonly SimulatedGpioDriver _chip;
    private readonly GpioController _gpio;

    public IndicatorTests()
    {
        _chip = new SimulatedGpioDriver(_time);
        _gpio = new GpioController(_chip);
    }

    public void Dispose() => _gpio.Dispose();

    [Fact]
    public void Ready_is_steady_on_and_off_is_dark()
    {
        using var light = new StatusLight(_gpio, LightPin, _time);
        Assert.Equal(PinMode.Output, _chip.ModeOf(LightPin));
        Assert.Equal(PinValue.Low, _chip.LevelOf(LightPin));

        light.Show(LightPattern.Ready);
        Step(TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));
        Assert.Equal(PinValue.High, _chip.LevelOf(LightPin));
        Assert.Single(_chip.EdgesOf(LightPin));

        light.Show(LightPattern.Off);
        Step(TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(50));
        Assert.Equal(PinValue.Low, _chip.LevelOf(LightPin));
        Assert.Equal(2, _chip.EdgesOf(LightPin).Count);
    }

    [Theory]
    [InlineData(LightPattern.Busy, 500)]
    [InlineData(LightPattern.Error, 100)]
    public void Busy_blinks_slowly_and_error_fast(LightPattern pattern, int halfPeriodMs)
    {
        using var light = new StatusLight(_gpio, LightPin, _time);
        var start = _time.GetUtcNow();
        light.Show(pattern);
        Step(TimeSpan.FromMilliseconds(halfPeriodMs * 8), TimeSpan.FromMilliseconds(10));

        var edges = _chip.EdgesOf(LightPin);
        Assert.Equal(9, edges.Count); // on at 0, then a change every half period
        for (var i = 0; i < edges.Count; i++)
        {
            Assert.Equal(i % 2 == 0 ? PinValue.High : PinValue.Low, edges[i].Value);
            Assert.Equal(start + TimeSpan.FromMilliseconds(halfPeriodMs * i), edges[i].At);
        }
    }

    [Fact]
    public void Showing_the_pattern_already_shown_does_not_restart_the_blink()
    {
        using var light = new StatusLight(_gpio, LightPin, _time);
        light.Show(LightPattern.Busy);
        _time.Advance(TimeSpan.FromMilliseconds(300));
        light.Show(LightPattern.Busy);
        _time.Advance(TimeSpan.FromMilliseconds(200));

        var edges = _chip.EdgesOf(LightPin);
        Assert.Equal(2, edges.Count);
        Assert.Equal(PinValue.Low, edges[1].Value);
    }

    [Fact]
    public void A_new_pattern_takes_over_at_once_and_the_old_timer_does_nothing()
    {
        using var light = new StatusLight(_gpio, LightPin, _time);
        light.Show(LightPattern.Busy);
        _time.Advance(TimeSpan.FromMilliseconds(250));
        light.Show(LightPattern.Ready);
        Step(TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(50));

        Assert.Equal(LightPattern.Ready, light.Pattern);
        Assert.Equal(PinValue.High, _chip.LevelOf(LightPin));
        Assert.Single(_chip.EdgesOf(LightPin)); // Busy's first step was already high: Ready changed nothing on the pin
    }

    [Fact]
    public void Disposing_the_light_leaves_it_dark_and_stops_blinking()
    {
        var light = new StatusLight(_gpio, LightPin, _time);
        light.Show(LightPattern.Error);
        _time.Advance(TimeSpan.FromMilliseconds(50));
        light.Dispose();
        var changes = _chip.EdgesOf(LightPin).Count;
        Step(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(10));

        Assert.Equal(PinValue.Low, _chip.LevelOf(LightPin));
        Assert.Equal(changes, _chip.EdgesOf(LightPin).Count);
    }

    [Theory]
    [InlineData(BeepPattern.Success, 1, 100)]
    [InlineData(BeepPattern.Failure, 3, 100)]
    [InlineData(BeepPattern.Attention, 1, 400)]
    public void Beeps_sound_their_count_and_length(BeepPattern pattern, int beeps, int lengthMs)
    {
        using var buzzer = new Buzzer(_gpio, BuzzerPin, _time);
        Assert.True(buzzer.Beep(pattern));
        Step(TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(10));

        var edges = _chip.EdgesOf(BuzzerPin);
        Assert.Equal(beeps, _chip.RisingEdgesOf(BuzzerPin));
        Assert.Equal(PinValue.Low, _chip.LevelOf(BuzzerPin));
        for (var i = 0; i < edges.Count; i += 2)
        {
            Assert.Equal(TimeSpan.FromMilliseconds(lengthMs), edges[i + 1].At - edges[i].At);
        }
    }

    [Fact]
    public void Beeps_asked_for_together_follow_each_other_and_a_burst_is_cut_short()
    {
        using var buzzer = new Buzzer(_gpio, BuzzerPin, _time);
        Assert.True(buzzer.Beep(BeepPattern.Success));
        Assert.True(buzzer.Beep(BeepPattern.Failure));
        Assert.True(buzzer.Beep(BeepPattern.Success));
        Assert.False(buzzer.Beep(BeepPattern.Success)); // more than two waiting: dropped
        Step(TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(10));

        Assert.Equal(5, _chip.RisingEdgesOf(BuzzerPin));
        var edges = _chip.EdgesOf(BuzzerPin);

        // The failure's first beep starts after the success beep and its pause, never on top of it.
        Assert.Equal(Buzzer.Short + Buzzer.Pause, edges[2].At - edges[0].At);
        Assert.Equal(3, buzzer.Played);

        // Quiet again: a new beep starts at once.
        var before = _time.GetUtcNow();
        Assert.True(buzzer.Beep(BeepPattern.Success));
        Assert.Equal(before, _chip.EdgesOf(BuzzerPin)[^1].At);
        Assert.Equal(PinValue.High, _chip.LevelOf(BuzzerPin));
    }

    [Fact]
    public void The_help_button_is_pulled_up_and_a_bouncing_press_counts_once()
    {
        using var button = new HelpButton(_gpio, ButtonPin, _time);
        var presses = new List<DateTimeOffset>();
        button.Pressed += presses.Add;
        Assert.Equal(PinMode.InputPullUp, _chip.ModeOf(ButtonPin));
        Assert.Equal(PinValue.High, _gpio.Read(ButtonPin));

        // Press: the contact bounces for a few milliseconds.
        Bounce();
        Assert.Equal(PinValue.Low, _gpio.Read(ButtonPin));
        Assert.Single(presses);

        // Held for a second: still one press. Released with a bounce: no press.
        _time.Advance(TimeSpan.FromSeconds(1));
        _chip.Release(ButtonPin);
        _time.Advance(TimeSpan.FromMilliseconds(2));
        _chip.Press(ButtonPin);
        _time.Advance(TimeSpan.FromMilliseconds(2));
        _chip.Release(ButtonPin);
        Assert.Single(presses);

        // A second, real press later counts.
        _time.Advance(TimeSpan.FromMilliseconds(400));
        Bounce();
        Assert.Equal(2, presses.Count);
        Assert.Equal(TimeSpan.FromMilliseconds(1406), presses[1] - presses[0]);

        void Bounce()
        {
            _chip.Press(ButtonPin);
            _time.Advance(TimeSpan.FromMilliseconds(1));
            _chip.Release(ButtonPin);
            _time.Advance(TimeSpan.FromMilliseconds(1));
            _chip.Press(ButtonPin);
        }
    }

    [Fact]
    public async Task The_simulated_chip_refuses_what_a_real_one_cannot_do()
    {
        _gpio.OpenPin(LightPin, PinMode.Output);
        Assert.Throws<InvalidOperationException>(() => _chip.Drive(LightPin, PinValue.High));
        Assert.Throws<InvalidOperationException>(() => _chip.LevelOf(5));
        Assert.ThrowsAny<Exception>(() => _gpio.OpenPin(40));

        // Waiting for an edge through the controller sees the driven edge.
        _gpio.OpenPin(ButtonPin, PinMode.InputPullUp);
        var waiting = Task.Run(() => _gpio.WaitForEvent(ButtonPin, PinEventTypes.Falling, TimeSpan.FromSeconds(10)));
        Assert.True(SpinWait.SpinUntil(() => _chip.ListenersOf(ButtonPin) > 0, TimeSpan.FromSeconds(5)));
        _chip.Press(ButtonPin);
        var result = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(result.TimedOut);
        Assert.Equal(PinEventTypes.Falling, result.EventTypes);
        Assert.Equal(0, _chip.ListenersOf(ButtonPin));
    }

    // Advances the fake clock in small steps, so every timer due in between fires in order.
    private void Step(TimeSpan total, TimeSpan step)
    {
        for (var elapsed = TimeSpan.Zero; elapsed < total; elapsed += step)
        {
            _time.Advance(step);
        }
    }
}
