namespace KioskPos.Terminal.Speech;

/// <summary>How the terminal speaks (section <c>Speech</c>); whether and how loud it announces payments is the hardware profile's.</summary>
public sealed class SpeechOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Speech";

    /// <summary>The speech synthesiser: espeak-ng (Debian's package, with its Vietnamese voice; offline).</summary>
    public string Engine { get; set; } = "espeak-ng";

    /// <summary>The voice: <c>vi</c>.</summary>
    public string Voice { get; set; } = "vi";

    /// <summary>Words a minute; a little slower than espeak-ng's 175, for elderly listeners.</summary>
    public int Rate { get; set; } = 150;

    /// <summary>What plays a WAV file through the sound device (<c>aplay</c>, ALSA); <c>none</c> produces the audio without playing it (tests, a terminal without a speaker).</summary>
    public string Player { get; set; } = "aplay";

    /// <summary>The longest text spoken at once, in characters.</summary>
    public int MaxCharacters { get; set; } = 600;
}
