using Iot.Device.Card.Mifare;
using IotUltralight = Iot.Device.Card.Ultralight.UltralightCard;
using Iot.Device.Mfrc522;
using Iot.Device.Rfid;
using KioskPos.Hardware.Simulators.Rfid;

namespace KioskPos.Hardware.Simulators.Tests.Rfid;

/// <summary>
/// dotnet/iot's MfRc522 binding (package Iot.Device.Bindings), a driver nobody here wrote, on the chip emulator. It
/// hands one buffer to <c>SpiDevice.TransferFullDuplex</c> as both write and read buffer, writes the FIFO one
/// transfer per byte, leaves the chip's timer without TAuto and reads bursts of the FIFO.
/// </summary>
public class ThirdPartyDriverTests
{
    [Theory]
    [InlineData(0x91, 1)]
    [InlineData(0x92, 2)]
    public void It_reads_the_chip_version_through_one_shared_buffer(byte register, int major)
    {
        using var reader = new MfRc522(new Mfrc522Emulator(version: register), shouldDispose: false);
        Assert.Equal(new Version(major, 0), reader.Version);
        Assert.True(reader.Enabled);
    }

    [Theory]
    [InlineData("04A1B2C3")]
    [InlineData("04A1B2C3D4E5F6")]
    public void It_finds_a_classic_card_and_reads_a_block_with_key_a(string uid)
    {
        var emulator = new Mfrc522Emulator();
        var block = "KioskPos HS-0042"u8.ToArray();
        emulator.Place(new MifareClassicCard(Convert.FromHexString(uid)).WriteBlock(4, block));
        using var reader = new MfRc522(emulator, shouldDispose: false);

        Assert.True(reader.ListenToCardIso14443TypeA(out var card, TimeSpan.FromSeconds(2)));
        Assert.Equal(uid, Convert.ToHexString(card.NfcId));
        Assert.Equal(0x08, card.Sak);

        var mifare = new MifareCard(reader, 0)
        {
            SerialNumber = card.NfcId,
            Capacity = MifareCardCapacity.Mifare1K,
            KeyA = MifareClassicCard.DefaultKey,
            BlockNumber = 4,
            Command = MifareCardCommand.AuthenticationA,
        };
        Assert.True(mifare.RunMifareCardCommand() >= 0);
        mifare.Command = MifareCardCommand.Read16Bytes;
        Assert.True(mifare.RunMifareCardCommand() >= 0);
        Assert.Equal(block, mifare.Data);
    }

    [Fact]
    public void A_wrong_key_is_refused_and_no_card_is_no_card()
    {
        var emulator = new Mfrc522Emulator();
        var classic = new MifareClassicCard([0x04, 0xA1, 0xB2, 0xC3]).SetKeys(1, [1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6]);
        emulator.Place(classic);
        using var reader = new MfRc522(emulator, shouldDispose: false);
        Assert.True(reader.ListenToCardIso14443TypeA(out var card, TimeSpan.FromSeconds(2)));
        var mifare = new MifareCard(reader, 0) { SerialNumber = card.NfcId, KeyA = MifareClassicCard.DefaultKey, BlockNumber = 4, Command = MifareCardCommand.AuthenticationA };
        Assert.True(mifare.RunMifareCardCommand() < 0);

        emulator.Remove(classic);
        Assert.False(reader.ListenToCardIso14443TypeA(out _, TimeSpan.FromMilliseconds(100)));
    }

    [Fact]
    public void It_writes_a_classic_block_in_two_steps_and_reads_it_back()
    {
        var emulator = new Mfrc522Emulator();
        var classic = new MifareClassicCard([0x04, 0xA1, 0xB2, 0xC3]);
        emulator.Place(classic);
        using var reader = new MfRc522(emulator, shouldDispose: false);
        Assert.True(reader.ListenToCardIso14443TypeA(out var card, TimeSpan.FromSeconds(2)));
        var mifare = new MifareCard(reader, 0) { SerialNumber = card.NfcId, KeyA = MifareClassicCard.DefaultKey, BlockNumber = 9, Command = MifareCardCommand.AuthenticationA };
        Assert.True(mifare.RunMifareCardCommand() >= 0);
        mifare.Data = "third-party data"u8.ToArray();
        mifare.Command = MifareCardCommand.Write16Bytes;
        Assert.True(mifare.RunMifareCardCommand() >= 0);
        Assert.Equal("third-party data"u8.ToArray(), classic.Block(9));
    }

    [Theory]
    [InlineData(NtagType.Ntag213, "0004040201000F03")]
    [InlineData(NtagType.Ntag215, "0004040201001103")]
    [InlineData(NtagType.Ntag216, "0004040201001303")]
    public void It_reads_an_ntag_version_signature_and_pages_with_fast_read(NtagType type, string version)
    {
        var emulator = new Mfrc522Emulator();
        var signature = Enumerable.Range(100, 32).Select(i => (byte)i).ToArray();
        var ntag = new NtagCard(Convert.FromHexString("04C1D2E3F4A5B6"), type, signature).WritePages(4, "NDEF-ish payload"u8);
        emulator.Place(ntag);
        using var reader = new MfRc522(emulator, shouldDispose: false);
        Assert.True(reader.ListenToCardIso14443TypeA(out var card, TimeSpan.FromSeconds(2)));
        Assert.True(IotUltralight.IsUltralightCard(card.Atqa, card.Sak));

        var ultralight = new IotUltralight(reader, 0) { SerialNumber = card.NfcId };
        Assert.Equal(version, Convert.ToHexString(ultralight.GetVersion() ?? []));
        Assert.Equal(signature, ultralight.GetSignature());
        var pages = ultralight.ReadFast(0, 8);
        Assert.NotNull(pages);
        Assert.Equal("NDEF-ish payload"u8.ToArray(), pages.AsSpan(16, 16).ToArray());
        Assert.Equal(ntag.Page(3), pages.AsSpan(12, 4).ToArray());
    }
}
