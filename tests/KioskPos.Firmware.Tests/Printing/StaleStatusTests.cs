using System.Threading.Channels;
using KioskPos.Firmware.Printing;
using KioskPos.Firmware.Transports;
using KioskPos.Hardware.Simulators.Printer;

namespace KioskPos.Firmware.Tests.Printing;

/// <summary>
/// A status answer that arrives late (its request timed out on a busy line) must not shift the next answers: read
/// one step out, a printer without paper looks ready and the job goes out.
/// </summary>
public class StaleStatusTests(FontsFixture fixture) : IClassFixture<FontsFixture>
{
    [Fact]
    public async Task A_late_status_byte_from_before_does_not_make_a_printer_without_paper_look_ready()
    {
        var emulator = new EscPosEmulator(RasterRenderer.Width58mm, fixture.Fonts) { PaperOut = true };
        using var transport = new LateAnswerTransport(emulator);
        using var printer = new EscPosPrinter(transport, new DocumentEncoder(new PrinterLanguage(58), fixture.Fonts), new PrinterTimeouts(TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(2)));

        var outcome = await printer.PrintAsync(Samples.TuitionDocument(), CancellationToken.None);

        Assert.False(outcome.Started, "nothing is sent to a printer without paper");
        Assert.Equal("paper_out", outcome.State);
        Assert.Empty(emulator.Pages);
    }

    [Fact]
    public async Task A_printer_that_answered_everything_is_not_waited_on_for_a_late_answer_until_one_goes_missing()
    {
        var emulator = new EscPosEmulator(RasterRenderer.Width58mm, fixture.Fonts);
        using var transport = new CountingTransport(emulator);
        using var printer = new EscPosPrinter(transport, new DocumentEncoder(new PrinterLanguage(58), fixture.Fonts), new PrinterTimeouts(TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(2)));

        // From the start an answer may be owed (bytes from before this process): the first round looks for one.
        Assert.True((await printer.PrintAsync(Samples.TuitionDocument(), CancellationToken.None)).Printed);
        Assert.Equal(1, transport.LateLooks);

        // Every request answered since: the rounds before and after each job end at their fourth answer.
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await printer.PrintAsync(Samples.TuitionDocument(), CancellationToken.None)).Printed);
        }

        Assert.NotNull(await printer.GetStatusAsync(CancellationToken.None));
        Assert.Equal(1, transport.LateLooks);
        Assert.Equal(4, emulator.Pages.Count);

        // An answer goes missing (its request timed out): the printer may still owe it, so the next round looks again.
        transport.SwallowNextAnswer = true;
        Assert.NotNull(await printer.GetStatusAsync(CancellationToken.None));
        Assert.True(transport.LateLooks >= 2, $"{transport.LateLooks} looks for a late answer");
        var looks = transport.LateLooks;
        Assert.NotNull(await printer.GetStatusAsync(CancellationToken.None));
        Assert.Equal(looks, transport.LateLooks); // nothing owed again once a round was clean
    }

    // The emulator in memory; counts the driver's short looks for a late answer, and can lose one answer.
    private sealed class CountingTransport : IPrinterTransport
    {
        private readonly EscPosEmulator _emulator;
        private readonly Channel<byte> _answers = Channel.CreateUnbounded<byte>();

        public CountingTransport(EscPosEmulator emulator)
        {
            _emulator = emulator;
            emulator.Connect(answer =>
            {
                foreach (var b in answer)
                {
                    if (SwallowNextAnswer)
                    {
                        SwallowNextAnswer = false;
                        continue;
                    }

                    _answers.Writer.TryWrite(b);
                }
            });
        }

        public int LateLooks { get; private set; }

        public bool SwallowNextAnswer { get; set; }

        public string Description => "memory";

        public bool IsOpen => true;

        public Task OpenAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task WriteAsync(ReadOnlyMemory<byte> data, TimeSpan timeout, CancellationToken cancellationToken)
        {
            _emulator.Receive(data.Span);
            return Task.CompletedTask;
        }

        public async Task<int> ReadAsync(Memory<byte> buffer, TimeSpan timeout, CancellationToken cancellationToken)
        {
            if (timeout == TimeSpan.FromMilliseconds(50))
            {
                LateLooks++;
            }

            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(timeout);
            try
            {
                var answer = await _answers.Reader.ReadAsync(wait.Token);
                buffer.Span[0] = answer;
                return 1;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return 0;
            }
        }

        public Task DiscardInputAsync(CancellationToken cancellationToken)
        {
            while (_answers.Reader.TryRead(out _))
            {
            }

            return Task.CompletedTask;
        }

        public void Close()
        {
        }

        public void Dispose()
        {
        }
    }

    // The emulator in memory, with one "online, ready" answer (0x12) left over from an earlier request that lands
    // just after the driver cleared its input, as a late byte on a serial line does.
    private sealed class LateAnswerTransport : IPrinterTransport
    {
        private readonly EscPosEmulator _emulator;
        private readonly Channel<byte> _answers = Channel.CreateUnbounded<byte>();
        private bool _lateSent;

        public LateAnswerTransport(EscPosEmulator emulator)
        {
            _emulator = emulator;
            emulator.Connect(answer => { foreach (var b in answer) { _answers.Writer.TryWrite(b); } });
        }

        public string Description => "memory";

        public bool IsOpen => true;

        public Task OpenAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task WriteAsync(ReadOnlyMemory<byte> data, TimeSpan timeout, CancellationToken cancellationToken)
        {
            _emulator.Receive(data.Span);
            return Task.CompletedTask;
        }

        public async Task<int> ReadAsync(Memory<byte> buffer, TimeSpan timeout, CancellationToken cancellationToken)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(timeout);
            try
            {
                var answer = await _answers.Reader.ReadAsync(wait.Token);
                buffer.Span[0] = answer;
                return 1;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return 0;
            }
        }

        public Task DiscardInputAsync(CancellationToken cancellationToken)
        {
            while (_answers.Reader.TryRead(out _))
            {
            }

            if (!_lateSent)
            {
                _lateSent = true;
                _answers.Writer.TryWrite(0x12);
            }

            return Task.CompletedTask;
        }

        public void Close()
        {
        }

        public void Dispose()
        {
        }
    }
}
