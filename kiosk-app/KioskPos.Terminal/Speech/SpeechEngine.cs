using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace KioskPos.Terminal.Speech;

/// <summary>A text the terminal turned into speech.</summary>
/// <param name="Kind"><c>screen</c> (a screen read aloud) or <c>announcement</c> (a payment received).</param>
/// <param name="Text">What was given to the synthesiser.</param>
/// <param name="File">The WAV file, under the data folder's <c>speech/</c>.</param>
/// <param name="Seconds">How long it plays.</param>
/// <param name="At">When.</param>
public sealed record SpokenText(string Kind, string Text, string File, double Seconds, DateTimeOffset At);

/// <summary>
/// Speaks Vietnamese offline: espeak-ng writes the text as a WAV file (kept by the text's hash under the data folder,
/// so a screen spoken again costs nothing), and one player at a time plays the files queued (<c>aplay</c> through the
/// sound device). The queue is bounded: when people press faster than it speaks, the oldest waiting text is dropped.
/// </summary>
public sealed class SpeechEngine(IOptions<SpeechOptions> options, IOptions<TerminalOptions> terminal, TimeProvider time, ILogger<SpeechEngine> logger) : BackgroundService
{
    private readonly Channel<string> _queue = Channel.CreateBounded<string>(new BoundedChannelOptions(4) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly SemaphoreSlim _synthesis = new(1, 1);
    private readonly Lock _gate = new();
    private readonly LinkedList<SpokenText> _recent = new();

    /// <summary>The last texts spoken, newest first (at most 20): for the technician and the tests.</summary>
    public IReadOnlyList<SpokenText> Recent
    {
        get
        {
            lock (_gate)
            {
                return [.. _recent];
            }
        }
    }

    /// <summary>Turns <paramref name="text"/> into a WAV file at <paramref name="volume"/> (0–100) and queues it to play.</summary>
    /// <exception cref="SpeechUnavailableException">The synthesiser is missing or failed.</exception>
    public async Task<SpokenText> SpeakAsync(string kind, string text, int volume, CancellationToken cancellationToken)
    {
        var o = options.Value;
        text = text.Length > o.MaxCharacters ? text[..o.MaxCharacters] : text;
        // espeak-ng's amplitude runs 0–200, 100 its default.
        var amplitude = Math.Clamp(volume, 0, 100) * 2;
        var folder = Path.Combine(terminal.Value.DataDirectory, "speech");
        Directory.CreateDirectory(folder);
        var name = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{o.Voice}|{o.Rate}|{amplitude}|{text}")).AsSpan(0, 10)) + ".wav";
        var file = Path.Combine(folder, name);
        await _synthesis.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!File.Exists(file))
            {
                await SynthesiseAsync(o, text, amplitude, file, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _synthesis.Release();
        }

        double seconds;
        try
        {
            seconds = WavSeconds(file);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or ArgumentException)
        {
            // A cached sound that does not read (cut short, overwritten): gone, so the next time makes it again.
            File.Delete(file);
            throw new SpeechUnavailableException($"the cached sound {name} did not read ({e.Message}); removed", e);
        }

        var spoken = new SpokenText(kind, text, file, seconds, time.GetUtcNow());
        lock (_gate)
        {
            _recent.AddFirst(spoken);
            while (_recent.Count > 20)
            {
                _recent.RemoveLast();
            }
        }

        if (!string.Equals(o.Player, "none", StringComparison.Ordinal))
        {
            _queue.Writer.TryWrite(file);
        }

        logger.LogInformation("Spoke {Kind}: {Seconds:0.0} s", kind, spoken.Seconds);
        return spoken;
    }

    private static async Task SynthesiseAsync(SpeechOptions o, string text, int amplitude, string file, CancellationToken cancellationToken)
    {
        var partial = file + ".part";
        var start = new ProcessStartInfo(o.Engine)
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
        };
        foreach (var argument in new[] { "-v", o.Voice, "-s", o.Rate.ToString(System.Globalization.CultureInfo.InvariantCulture), "-a", amplitude.ToString(System.Globalization.CultureInfo.InvariantCulture), "-w", partial, "--stdin" })
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new SpeechUnavailableException($"{o.Engine} did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new SpeechUnavailableException($"{o.Engine} is not installed (Debian package espeak-ng): {e.Message}", e);
        }

        using (process)
        {
            await process.StandardInput.WriteAsync(text.AsMemory(), cancellationToken).ConfigureAwait(false);
            process.StandardInput.Close();
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            _ = process.StandardOutput.ReadToEndAsync(cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(20));
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new SpeechUnavailableException($"{o.Engine} took longer than 20 s.");
            }

            if (process.ExitCode != 0 || !File.Exists(partial))
            {
                throw new SpeechUnavailableException($"{o.Engine} failed ({process.ExitCode}): {(await error.ConfigureAwait(false)).Trim()}");
            }
        }

        File.Move(partial, file, overwrite: true);
    }

    /// <summary>The playing time of a PCM WAV file, from its header: the data chunk's size over the byte rate.</summary>
    public static double WavSeconds(string file)
    {
        using var stream = File.OpenRead(file);
        using var reader = new BinaryReader(stream);
        if (new string(reader.ReadChars(4)) != "RIFF")
        {
            throw new InvalidDataException($"{file} is not a WAV file.");
        }

        reader.ReadInt32();
        if (new string(reader.ReadChars(4)) != "WAVE")
        {
            throw new InvalidDataException($"{file} is not a WAV file.");
        }

        var byteRate = 0;
        while (stream.Position + 8 <= stream.Length)
        {
            var id = new string(reader.ReadChars(4));
            var size = reader.ReadUInt32();
            if (id == "fmt ")
            {
                var format = reader.ReadBytes((int)size);
                byteRate = BitConverter.ToInt32(format, 8);
            }
            else if (id == "data")
            {
                // espeak-ng writing to a file leaves 0x7FFFFFFF-ish sizes when it cannot seek; the file's length is the truth.
                var data = Math.Min(size, stream.Length - stream.Position);
                return byteRate > 0 ? (double)data / byteRate : 0;
            }
            else
            {
                stream.Seek(size, SeekOrigin.Current);
            }
        }

        return 0;
    }

    /// <summary>Plays the queued files one after the other.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var file in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                var start = new ProcessStartInfo(options.Value.Player) { UseShellExecute = false, RedirectStandardError = true };
                start.ArgumentList.Add("-q");
                start.ArgumentList.Add(file);
                using var player = Process.Start(start);
                if (player is not null)
                {
                    await player.WaitForExitAsync(stoppingToken).ConfigureAwait(false);
                }
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                logger.LogWarning("Speech not played: {Player} is missing ({Message})", options.Value.Player, e.Message);
            }
        }
    }
}

/// <summary>The terminal cannot speak now (no synthesiser, or it failed).</summary>
public sealed class SpeechUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SpeechUnavailableException(string message, Exception? inner = null) : base(message, inner)
    {
    }

    /// <summary>Creates the exception.</summary>
    public SpeechUnavailableException() : this("Speech is unavailable.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public SpeechUnavailableException(string message) : this(message, null)
    {
    }
}
