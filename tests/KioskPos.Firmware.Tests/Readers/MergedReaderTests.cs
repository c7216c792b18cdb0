using KioskPos.Firmware.Devices;
using KioskPos.Firmware.Readers;
using KioskPos.Firmware.Readers.Mfrc522;
using KioskPos.Hardware.Simulators.Rfid;

namespace KioskPos.Firmware.Tests.Readers;

/// <summary>Several readers as one stream (Hardware:CardReader with more than one), on MFRC522 chip emulators.</summary>
public class MergedReaderTests
{
    [Fact]
    public async Task A_reader_that_fails_in_a_merge_is_read_again_while_the_other_reads_on()
    {
        var missing = new Mfrc522Emulator(busId: 0) { Connected = false };
        var present = new Mfrc522Emulator(busId: 1);
        var poll = TimeSpan.FromMilliseconds(5);
        using var first = new Mfrc522CardReader(Mfrc522.BusNameOf(missing.ConnectionSettings), () => new Mfrc522(missing), poll, TimeProvider.System);
        using var second = new Mfrc522CardReader(Mfrc522.BusNameOf(present.ConnectionSettings), () => new Mfrc522(present), poll, TimeProvider.System);
        var merged = new MergedCardReader([first, second], retry: TimeSpan.FromMilliseconds(50));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var reads = merged.ReadAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        try
        {
            present.Place(new MifareClassicCard([0x04, 0xA1, 0xB2, 0xC3]));
            Assert.True(await reads.MoveNextAsync());
            Assert.Equal("04A1B2C3", reads.Current.UidHex);
            for (var deadline = DateTime.UtcNow.AddSeconds(10); merged.Health?.State != ReaderState.Unavailable && DateTime.UtcNow < deadline;)
            {
                await Task.Delay(10);
            }

            // The merge is as healthy as its worst reader, and names it.
            Assert.Equal(ReaderState.Unavailable, merged.Health?.State);
            Assert.Contains("mfrc522 (SPI bus 0, chip select 0): no reader on SPI bus 0", merged.Health?.Problem, StringComparison.Ordinal);

            // Connected: the failed reader, read again after its rest, reads a tap.
            missing.Connected = true;
            missing.Place(new MifareClassicCard([0x04, 0x5A, 0x5B, 0x5C]));
            Assert.True(await reads.MoveNextAsync());
            Assert.Equal("045A5B5C", reads.Current.UidHex);
            Assert.Equal(ReaderState.Ready, merged.Health?.State);
        }
        finally
        {
            await stop.CancelAsync();
            await reads.DisposeAsync();
        }
    }
}
