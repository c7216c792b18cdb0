using System.Buffers.Binary;
using KioskPos.Firmware.Readers.Iso14443;
using KioskPos.Firmware.Readers.Mfrc522;
using KioskPos.Hardware.Simulators.Rfid;

namespace KioskPos.Hardware.Simulators.Tests.Rfid;

/// <summary>
/// The virtual cards answer what real ones answer, frame by frame through our driver and the chip emulator:
/// MIFARE Classic (NXP MF1S50yyX datasheet: WRITE, INCREMENT, DECREMENT, RESTORE, TRANSFER, access conditions of
/// 8.7) and NTAG213/215/216 (NXP NTAG213/215/216 datasheet: GET_VERSION, READ, FAST_READ, READ_SIG, WRITE, the
/// capability container), and a card taken away in the middle of a command.
/// </summary>
public class VirtualCardTests
{
    private static readonly byte[] s_uid = [0x04, 0xA1, 0xB2, 0xC3];
    private static readonly byte[] s_keyA = [0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5];
    private static readonly byte[] s_keyB = [0xB0, 0xB1, 0xB2, 0xB3, 0xB4, 0xB5];

    [Fact]
    public void Classic_write_is_two_steps_each_acknowledged_with_a()
    {
        var (chip, card) = Classic(new MifareClassicCard(s_uid));
        Assert.True(chip.Authenticate(MifareKeyType.A, 4, MifareClassicCard.DefaultKey, s_uid));
        var data = "written by test!"u8.ToArray();
        AssertAck(Send(chip, [0xA0, 4]));
        AssertAck(Send(chip, data));
        Assert.Equal(data, card.Block(4));
        Assert.Equal(data, ReadBlock(chip, 4));
    }

    [Fact]
    public void Classic_block_0_the_manufacturer_block_refuses_write()
    {
        var (chip, card) = Classic(new MifareClassicCard(s_uid));
        Assert.True(chip.Authenticate(MifareKeyType.A, 0, MifareClassicCard.DefaultKey, s_uid));
        AssertNak(Send(chip, [0xA0, 0]), 0x04);
        Assert.Equal(s_uid, card.Block(0)[..4]);
        Assert.Equal(0x04 ^ 0xA1 ^ 0xB2 ^ 0xC3, card.Block(0)[4]);
    }

    [Fact]
    public void Classic_access_bits_decide_which_key_may_write()
    {
        // Block 4: read A|B, write B only (C1 C2 C3 = 100); trailer 011: key B is a key, not readable data.
        var card = new MifareClassicCard(s_uid).SetKeys(1, s_keyA, s_keyB).SetAccessConditions(1, 0b100, 0b000, 0b000, 0b011);
        var (chip, _) = Classic(card);
        Assert.True(chip.Authenticate(MifareKeyType.A, 4, s_keyA, s_uid));
        Assert.NotNull(ReadBlock(chip, 4));
        AssertNak(Send(chip, [0xA0, 4]), 0x04);

        Reselect(chip);
        Assert.True(chip.Authenticate(MifareKeyType.B, 4, s_keyB, s_uid));
        AssertAck(Send(chip, [0xA0, 4]));
        AssertAck(Send(chip, new byte[16]));
    }

    [Fact]
    public void Classic_trailer_reads_without_key_a_and_shows_key_b_only_where_it_is_readable()
    {
        var card = new MifareClassicCard(s_uid).SetKeys(1, s_keyA, s_keyB);
        var (chip, _) = Classic(card);

        // Transport configuration (trailer 001): key B is readable with key A, so it is data.
        Assert.True(chip.Authenticate(MifareKeyType.A, 7, s_keyA, s_uid));
        Assert.Equal("000000000000FF078069B0B1B2B3B4B5", Convert.ToHexString(ReadBlock(chip, 7)!));

        // And key B cannot serve as a key there: after authenticating with it every access is refused.
        Reselect(chip);
        Assert.True(chip.Authenticate(MifareKeyType.B, 4, s_keyB, s_uid));
        AssertNak(Send(chip, [0x30, 4]), 0x04);

        // Trailer 011: key B is hidden.
        card.SetAccessConditions(1, 0, 0, 0, 0b011);
        Reselect(chip);
        Assert.True(chip.Authenticate(MifareKeyType.A, 7, s_keyA, s_uid));
        var bytes = MifareClassicCard.AccessBytes([0, 0, 0, 0b011]);
        Assert.Equal("000000000000" + Convert.ToHexString(bytes) + "69000000000000", Convert.ToHexString(ReadBlock(chip, 7)!));
    }

    [Fact]
    public void Classic_value_blocks_increment_decrement_restore_and_transfer()
    {
        // Blocks 4-6: C1 C2 C3 = 110, read A|B, write B, increment B, decrement/transfer/restore A|B.
        var card = new MifareClassicCard(s_uid).SetKeys(1, s_keyA, s_keyB).SetAccessConditions(1, 0b110, 0b110, 0b110, 0b011)
            .WriteValueBlock(4, 100, 4).WriteBlock(5, "not a value blk."u8);
        var (chip, _) = Classic(card);
        Assert.True(chip.Authenticate(MifareKeyType.A, 4, s_keyA, s_uid));

        // Key A may not increment; it may decrement: ACK, then the operand, to which the card stays silent.
        AssertNak(Send(chip, [0xC1, 4]), 0x04);
        Reselect(chip);
        Assert.True(chip.Authenticate(MifareKeyType.A, 4, s_keyA, s_uid));
        AssertAck(Send(chip, [0xC0, 4]));
        Assert.Equal(ExchangeStatus.NoAnswer, Send(chip, Operand(30)).Status);
        Assert.Equal(100, card.Value(4));
        AssertAck(Send(chip, [0xB0, 4]));
        Assert.Equal(70, card.Value(4));
        Assert.Equal(MifareClassicCard.ValueBlock(70, 4), ReadBlock(chip, 4));

        Reselect(chip);
        Assert.True(chip.Authenticate(MifareKeyType.B, 4, s_keyB, s_uid));
        AssertAck(Send(chip, [0xC1, 4]));
        Assert.Equal(ExchangeStatus.NoAnswer, Send(chip, Operand(55)).Status);
        AssertAck(Send(chip, [0xB0, 4]));
        Assert.Equal(125, card.Value(4));

        // RESTORE copies a value through the transfer buffer to another block; the address byte is the target's.
        card.WriteValueBlock(6, 0, 6);
        AssertAck(Send(chip, [0xC2, 4]));
        Assert.Equal(ExchangeStatus.NoAnswer, Send(chip, Operand(0)).Status);
        AssertAck(Send(chip, [0xB0, 6]));
        Assert.Equal(MifareClassicCard.ValueBlock(125, 6), card.Block(6));

        // A block not in the value format: the operand is refused.
        AssertAck(Send(chip, [0xC0, 5]));
        AssertNak(Send(chip, Operand(1)), 0x04);
    }

    [Fact]
    public void Classic_transfer_without_an_operation_before_it_is_refused()
    {
        var (chip, _) = Classic(new MifareClassicCard(s_uid).WriteValueBlock(4, 10, 4));
        Assert.True(chip.Authenticate(MifareKeyType.A, 4, MifareClassicCard.DefaultKey, s_uid));
        AssertNak(Send(chip, [0xB0, 4]), 0x04);
    }

    [Fact]
    public void Classic_card_taken_away_between_the_two_steps_of_a_write_leaves_the_block_unchanged()
    {
        var (chip, card) = Classic(new MifareClassicCard(s_uid).WriteBlock(4, "before the write"u8));
        Assert.True(chip.Authenticate(MifareKeyType.A, 4, MifareClassicCard.DefaultKey, s_uid));
        Field.RemoveAfter(card, 1);
        AssertAck(Send(chip, [0xA0, 4]));
        Assert.Equal(ExchangeStatus.NoAnswer, Send(chip, new byte[16]).Status);
        Assert.Equal("before the write"u8.ToArray(), card.Block(4));
        Assert.Empty(Field.Field);
    }

    [Theory]
    [InlineData(NtagType.Ntag213, "0004040201000F03", "E1101200", 45)]
    [InlineData(NtagType.Ntag215, "0004040201001103", "E1103E00", 135)]
    [InlineData(NtagType.Ntag216, "0004040201001303", "E1106D00", 231)]
    public void Ntag_get_version_and_capability_container_are_the_datasheets(NtagType type, string version, string cc, int pages)
    {
        var (chip, card) = Ntag(type);
        var answer = new byte[64];
        var exchange = chip.Transceive(CrcA.Append([0x60]), 0, answer);
        Assert.True(exchange.IsOk);
        Assert.Equal(10, exchange.Length);
        Assert.True(CrcA.Check(answer.AsSpan(0, 10)));
        Assert.Equal(version, Convert.ToHexString(answer, 0, 8));

        var page0 = ReadPages(chip, 0)!;
        Assert.Equal(cc, Convert.ToHexString(page0, 12, 4));
        Assert.Equal(0x48, page0[9]);
        Assert.Equal(pages, card.Pages);

        // The last READ address is the last page; past it, NAK 0h.
        Assert.NotNull(ReadPages(chip, pages - 1));
        AssertNak(Send(chip, [0x30, (byte)pages]), 0x00);
    }

    [Fact]
    public void Ntag_fast_read_returns_the_pages_read_returns_and_refuses_a_range_past_the_end()
    {
        var (chip, card) = Ntag(NtagType.Ntag213);
        card.WritePages(4, Enumerable.Range(0, 48).Select(i => (byte)i).ToArray());
        var answer = new byte[64];
        var exchange = chip.Transceive(CrcA.Append([0x3A, 4, 15]), 0, answer);
        Assert.True(exchange.IsOk);
        Assert.Equal(12 * 4 + 2, exchange.Length);
        Assert.Equal([.. ReadPages(chip, 4)!, .. ReadPages(chip, 8)!, .. ReadPages(chip, 12)!], answer[..48]);

        // PWD (2Bh) and PACK (2Ch) read as zeros.
        exchange = chip.Transceive(CrcA.Append([0x3A, 0x2B, 0x2C]), 0, answer);
        Assert.Equal("0000000000000000", Convert.ToHexString(answer, 0, 8));

        AssertNak(Send(chip, [0x3A, 40, 45]), 0x00);

        // After a NAK the tag is back in IDLE: it ignores READ until it is selected again.
        Assert.Equal(ExchangeStatus.NoAnswer, Send(chip, [0x30, 4]).Status);
    }

    [Fact]
    public void Ntag_read_sig_returns_the_32_byte_signature_and_write_is_acknowledged()
    {
        var signature = Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray();
        var (chip, card) = Ntag(NtagType.Ntag215, signature);
        var answer = new byte[64];
        var exchange = chip.Transceive(CrcA.Append([0x3C, 0x00]), 0, answer);
        Assert.Equal(34, exchange.Length);
        Assert.Equal(signature, answer[..32]);

        AssertAck(Send(chip, [0xA2, 10, 1, 2, 3, 4]));
        Assert.Equal("01020304", Convert.ToHexString(card.Page(10)));

        // The UID pages are read-only.
        AssertNak(Send(chip, [0xA2, 0, 1, 2, 3, 4]), 0x00);
    }

    [Fact]
    public void Ntag_taken_away_before_fast_read_answers_nothing()
    {
        var (chip, card) = Ntag(NtagType.Ntag213);
        Field.RemoveAfter(card, 1);
        Assert.True(Send(chip, [0x60]).IsOk);
        Assert.Equal(ExchangeStatus.NoAnswer, Send(chip, [0x3A, 0, 15]).Status);
    }

    [Fact]
    public void A_plain_ultralight_does_not_answer_get_version()
    {
        var emulator = new Mfrc522Emulator();
        var chip = new Mfrc522(emulator);
        chip.Initialise();
        emulator.Place(new UltralightCard(Convert.FromHexString("0488C1D2E3F4A5")));
        Assert.Equal(ActivationOutcome.Selected, new Iso14443a(chip).Activate(wakeUp: true).Outcome);
        Assert.Equal(ExchangeStatus.NoAnswer, Send(chip, [0x60]).Status);
    }

    private Mfrc522Emulator Field { get; set; } = new();

    private (Mfrc522 Chip, MifareClassicCard Card) Classic(MifareClassicCard card)
    {
        var chip = new Mfrc522(Field);
        chip.Initialise();
        Field.Place(card);
        Assert.Equal(ActivationOutcome.Selected, new Iso14443a(chip).Activate(wakeUp: true).Outcome);
        return (chip, card);
    }

    private (Mfrc522 Chip, NtagCard Card) Ntag(NtagType type, byte[]? signature = null)
    {
        var chip = new Mfrc522(Field);
        chip.Initialise();
        var card = new NtagCard(Convert.FromHexString("04C1D2E3F4A5B6"), type, signature);
        Field.Place(card);
        var activation = new Iso14443a(chip).Activate(wakeUp: true);
        Assert.Equal(ActivationOutcome.Selected, activation.Outcome);
        Assert.Equal(CardType.Ultralight, activation.Card!.Type);
        return (chip, card);
    }

    private static void Reselect(Mfrc522 chip)
    {
        chip.StopCrypto();
        var iso = new Iso14443a(chip);
        iso.Halt();
        Assert.Equal(ActivationOutcome.Selected, iso.Activate(wakeUp: true).Outcome);
    }

    private static byte[] Operand(int value)
    {
        var operand = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(operand, value);
        return operand;
    }

    /// <summary>One frame with its CRC_A; the answer and how the exchange ended.</summary>
    private static Answer Send(Mfrc522 chip, byte[] command)
    {
        var bytes = new byte[64];
        var exchange = chip.Transceive(CrcA.Append(command), 0, bytes);
        return new Answer(exchange, bytes[..exchange.Length]);
    }

    private readonly record struct Answer(Exchange Exchange, byte[] Bytes)
    {
        public ExchangeStatus Status => Exchange.Status;

        public bool IsOk => Exchange.IsOk;
    }

    private static byte[]? ReadBlock(Mfrc522 chip, byte block) => ReadPages(chip, block);

    private static byte[]? ReadPages(Mfrc522 chip, int start)
    {
        var answer = new byte[64];
        var exchange = chip.Transceive(CrcA.Append([0x30, (byte)start]), 0, answer);
        return exchange.IsOk && exchange.Length == 18 && CrcA.Check(answer.AsSpan(0, 18)) ? answer[..16] : null;
    }

    /// <summary>The 4-bit ACK (Ah).</summary>
    private static void AssertAck(Answer answer) => AssertNak(answer, 0x0A);

    /// <summary>A 4-bit answer with this code.</summary>
    private static void AssertNak(Answer answer, byte code)
    {
        Assert.True(answer.IsOk, $"no 4-bit answer: {answer.Status}");
        var only = Assert.Single(answer.Bytes);
        Assert.Equal(4, answer.Exchange.LastBits);
        Assert.Equal(code, only & 0x0F);
    }
}
