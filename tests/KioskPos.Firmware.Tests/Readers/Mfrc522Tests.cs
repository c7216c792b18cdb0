using System.Device.Gpio;
using KioskPos.Firmware.Devices;
using KioskPos.Firmware.Readers.Iso14443;
using KioskPos.Firmware.Readers.Mfrc522;
using KioskPos.Hardware.Simulators.Gpio;
using KioskPos.Hardware.Simulators.Rfid;

namespace KioskPos.Firmware.Tests.Readers;

/// <summary>The real MFRC522 driver and ISO 14443A code, running on the register-level chip emulator.</summary>
public class Mfrc522Tests
{
    private static readonly byte[] s_issuerKey = Convert.FromHexString("A0A1A2A3A4A5");

    public static TheoryData<string, string, CardType> Cards => new()
    {
        { "classic", "04A1B2C3", CardType.MifareClassic1K },
        { "classic", "04A1B2C3D4E5F6", CardType.MifareClassic1K },
        { "ultralight", "0488C1D2E3F4A5", CardType.Ultralight },
        { "iso4", "08112233", CardType.Iso14443Part4 },
        { "iso4", "04112233445566", CardType.Iso14443Part4 },
        { "iso4", "04112233445566778899", CardType.Iso14443Part4 },
    };

    [Theory]
    [InlineData("0000", "A01E")]
    [InlineData("1234", "26CF")]
    [InlineData("5000", "57CD")]
    public void CrcA_matches_the_reference_vectors_low_byte_first(string data, string crc)
    {
        var frame = CrcA.Append(Convert.FromHexString(data));
        Assert.Equal(crc, Convert.ToHexString(frame[^2..]));
        Assert.True(CrcA.Check(frame));
        frame[0] ^= 0x01;
        Assert.False(CrcA.Check(frame));
    }

    [Fact]
    public void CrcA_of_the_check_string_is_BF05() => Assert.Equal(0xBF05, CrcA.Compute("123456789"u8));

    // ISO/IEC 14443-3 Annex B's CRC_A examples and the HLTA frame every reader sends (50 00 57 CD), and the CRC
    // catalogue's check string: the chip's coprocessor, read back through its registers, must give the published
    // values (the emulator computes them with the firmware's CrcA, so agreement alone would prove nothing).
    [Theory]
    [InlineData("0000", 0x1EA0)]
    [InlineData("1234", 0xCF26)]
    [InlineData("5000", 0xCD57)]
    [InlineData("313233343536373839", 0xBF05)]
    public void The_chip_coprocessor_gives_the_published_crc_a(string data, int crc)
    {
        var (chip, _) = Start();
        Assert.Equal(crc, chip.CalculateCrc(Convert.FromHexString(data)));
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0xFF)]
    public void No_chip_on_the_bus_says_to_enable_spi(byte absent)
    {
        using var chip = new Mfrc522(new Mfrc522Emulator { Connected = false, AbsentValue = absent });
        var error = Assert.Throws<ReaderNotFoundException>(() => chip.Initialise());
        Assert.Contains("no reader on SPI bus 0", error.Message, StringComparison.Ordinal);
        Assert.Contains("is SPI enabled", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0x92, "MFRC522 v2.0", true)]
    [InlineData(0x91, "MFRC522 v1.0", true)]
    [InlineData(0x88, "FM17522 (clone)", false)]
    public void Self_test_compares_with_the_datasheet_answer_for_the_version(byte version, string name, bool passes)
    {
        var (chip, _) = Start(version);
        Assert.Equal(name, chip.VersionName);
        Assert.Equal(passes, chip.SelfTest());

        // The chip is usable again after its self-test.
        Assert.True(chip.IsAntennaOn);
    }

    [Fact]
    public void Self_test_fails_on_a_damaged_chip()
    {
        var emulator = new Mfrc522Emulator { SelfTestFails = true };
        using var chip = new Mfrc522(emulator);
        chip.Initialise();
        Assert.False(chip.SelfTest());
    }

    [Fact]
    public void Self_test_keeps_the_configured_receiver_gain()
    {
        // Its SoftReset sets RFCfgReg back to 48h (33 dB): the gain set before must be the gain after.
        var (chip, _) = Start();
        chip.SetGain(ReceiverGain.Db48);
        Assert.True(chip.SelfTest());
        Assert.Equal(ReceiverGain.Db48, chip.Gain);
    }

    [Fact]
    public void Antenna_off_means_no_card_and_gain_is_kept()
    {
        var (chip, emulator) = Start();
        emulator.Place(new MifareClassicCard([0x04, 0xA1, 0xB2, 0xC3]));
        chip.SetGain(ReceiverGain.Db48);
        Assert.Equal(ReceiverGain.Db48, chip.Gain);
        chip.AntennaOff();
        Assert.False(chip.IsAntennaOn);
        Assert.Equal(ActivationOutcome.NoCard, new Iso14443a(chip).Activate(wakeUp: true).Outcome);
        chip.AntennaOn();
        Assert.Equal(ActivationOutcome.Selected, new Iso14443a(chip).Activate(wakeUp: true).Outcome);
    }

    [Theory]
    [MemberData(nameof(Cards))]
    public void Every_card_type_and_uid_size_is_selected_with_its_exact_uid(string kind, string uid, CardType type)
    {
        var (chip, emulator) = Start();
        emulator.Place(Card(kind, uid));
        var activation = new Iso14443a(chip).Activate(wakeUp: false);
        Assert.Equal(ActivationOutcome.Selected, activation.Outcome);
        Assert.Equal(uid, activation.Card!.UidHex);
        Assert.Equal(type, activation.Card.Type);
    }

    [Theory]
    [MemberData(nameof(Cards))]
    public void A_card_held_on_the_reader_is_one_tap_and_a_new_tap_needs_it_removed(string kind, string uid, CardType type)
    {
        var (chip, emulator) = Start();
        var reader = new Mfrc522CardReader(chip, TimeSpan.Zero, TimeProvider.System, removalPolls: 3);
        var card = Card(kind, uid);
        emulator.Place(card);
        var taps = Enumerable.Range(0, 10).Select(_ => reader.Poll()).OfType<CardRead>().ToList();
        var tap = Assert.Single(taps);
        Assert.Equal(uid, tap.UidHex);
        Assert.Equal(type, tap.Type);

        // A wobble (away for fewer polls than the removal count) is not a new tap.
        emulator.Remove(card);
        Assert.Null(reader.Poll());
        emulator.Place(card);
        Assert.Null(reader.Poll());

        // Taken away, then tapped again: a second tap.
        emulator.Remove(card);
        Assert.All(Enumerable.Range(0, 3).Select(_ => reader.Poll()), Assert.Null);
        emulator.Place(card);
        Assert.Equal(uid, reader.Poll()?.UidHex);
    }

    [Fact]
    public void Two_cards_at_once_say_one_card_at_a_time_once_and_never_give_a_uid()
    {
        var (chip, emulator) = Start();
        var reader = new Mfrc522CardReader(chip, TimeSpan.Zero, TimeProvider.System);
        var first = new MifareClassicCard([0x04, 0xA1, 0xB2, 0xC3]);
        var second = new MifareClassicCard([0x04, 0xA1, 0xB2, 0xC7]);
        emulator.Place(first);
        emulator.Place(second);
        var events = Enumerable.Range(0, 5).Select(_ => reader.Poll()).OfType<CardRead>().ToList();
        var problem = Assert.Single(events);
        Assert.Equal(CardProblem.MultipleCards, problem.Problem);
        Assert.Equal(string.Empty, problem.UidHex);

        // One taken away: the one left is tapped, with its own UID.
        emulator.Remove(first);
        Assert.Equal("04A1B2C7", reader.Poll()?.UidHex);
    }

    [Fact]
    public void Two_seven_byte_cards_sharing_their_first_level_collide_at_the_second()
    {
        var (chip, emulator) = Start();
        emulator.Place(new UltralightCard(Convert.FromHexString("04112233445566")));
        emulator.Place(new UltralightCard(Convert.FromHexString("04112233445577")));
        var activation = new Iso14443a(chip).Activate(wakeUp: true);
        Assert.Equal(ActivationOutcome.MultipleCards, activation.Outcome);
        Assert.Null(activation.Card);
    }

    [Fact]
    public void A_corrupted_sak_is_discarded_and_the_card_is_tapped_once_on_the_next_poll()
    {
        var (chip, emulator) = Start();
        var reader = new Mfrc522CardReader(chip, TimeSpan.Zero, TimeProvider.System);
        emulator.Place(new MifareClassicCard([0x04, 0xA1, 0xB2, 0xC3]));
        var iso = new Iso14443a(chip);

        emulator.InjectCrcError();
        Assert.Equal(ActivationOutcome.Corrupted, iso.Activate(wakeUp: true).Outcome);

        // Left in READY by the broken exchange, the card takes the next WUPA as an error and goes back to IDLE
        // (ISO/IEC 14443-3, figure 7); that is why the reader asks twice before calling the field empty.
        Assert.Equal(ActivationOutcome.NoCard, iso.Activate(wakeUp: true).Outcome);
        emulator.InjectParityError();
        Assert.Equal(ActivationOutcome.Corrupted, iso.Activate(wakeUp: true).Outcome);

        emulator.InjectCrcError();
        Assert.Null(reader.Poll());
        Assert.Equal("04A1B2C3", reader.Poll()?.UidHex);
        Assert.Null(reader.Poll());
    }

    [Fact]
    public void The_card_number_is_read_from_a_classic_sector_with_the_configured_key()
    {
        var (chip, emulator) = Start();
        var card = new MifareClassicCard([0x04, 0xA1, 0xB2, 0xC3]).SetKeys(1, s_issuerKey, s_issuerKey).WriteBlock(4, Block("HS-2024-0042"));
        emulator.Place(card);
        var reader = new Mfrc522CardReader(chip, TimeSpan.Zero, TimeProvider.System, new CardNumberLocation(4, MifareKeyType.A, s_issuerKey, null));
        var tap = reader.Poll();
        Assert.Equal("HS-2024-0042", tap?.CardNumber);
        Assert.Equal("04A1B2C3", tap?.UidHex);
        Assert.Equal(0x08, Assert.Single(emulator.Field).Sak);
    }

    [Fact]
    public void A_card_with_another_key_is_tapped_by_its_uid_alone()
    {
        var (chip, emulator) = Start();
        emulator.Place(new MifareClassicCard([0x04, 0xA1, 0xB2, 0xC3]).WriteBlock(4, Block("SECRET")));
        var reader = new Mfrc522CardReader(chip, TimeSpan.Zero, TimeProvider.System, new CardNumberLocation(4, MifareKeyType.A, s_issuerKey, null));
        var tap = reader.Poll();
        Assert.Equal("04A1B2C3", tap?.UidHex);
        Assert.Null(tap?.CardNumber);
        Assert.Null(reader.Poll());
    }

    [Fact]
    public void A_classic_block_without_authentication_is_refused()
    {
        var (chip, emulator) = Start();
        emulator.Place(new MifareClassicCard([0x04, 0xA1, 0xB2, 0xC3]));
        var iso = new Iso14443a(chip);
        Assert.Equal(ActivationOutcome.Selected, iso.Activate(wakeUp: true).Outcome);
        Assert.Equal(ReadOutcome.Refused, iso.ReadBlock(4, new byte[16]));
    }

    [Fact]
    public void The_card_number_is_read_from_ultralight_pages()
    {
        var (chip, emulator) = Start();
        emulator.Place(new UltralightCard(Convert.FromHexString("0488C1D2E3F4A5")).WritePages(4, Block("BN-778812")));
        var reader = new Mfrc522CardReader(chip, TimeSpan.Zero, TimeProvider.System, new CardNumberLocation(null, MifareKeyType.A, [], 4));
        Assert.Equal("BN-778812", reader.Poll()?.CardNumber);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public void A_card_taken_away_in_the_middle_of_its_read_gives_no_tap_until_it_is_read_whole(int answersBeforeLeaving)
    {
        var (chip, emulator) = Start();
        var card = new MifareClassicCard([0x04, 0xA1, 0xB2, 0xC3]).SetKeys(1, s_issuerKey, s_issuerKey).WriteBlock(4, Block("HS-0001"));
        emulator.Place(card);

        // ATQA, UID, SAK, then authentication and READ: leaving after the SAK or after the authentication cuts the read.
        emulator.RemoveAfter(card, answersBeforeLeaving);
        var reader = new Mfrc522CardReader(chip, TimeSpan.Zero, TimeProvider.System, new CardNumberLocation(4, MifareKeyType.A, s_issuerKey, null));
        var first = reader.Poll();
        Assert.Equal(CardProblem.ReadFailed, first?.Problem);
        Assert.Equal(string.Empty, first?.UidHex);
        Assert.Empty(emulator.Field);

        emulator.Place(card);
        var tap = reader.Poll();
        Assert.Equal("HS-0001", tap?.CardNumber);
        Assert.Null(tap?.Problem);
    }

    [Fact]
    public void A_halted_card_answers_wupa_but_not_reqa()
    {
        var (chip, emulator) = Start();
        emulator.Place(new MifareClassicCard([0x04, 0xA1, 0xB2, 0xC3]));
        var iso = new Iso14443a(chip);
        Assert.Equal(ActivationOutcome.Selected, iso.Activate(wakeUp: false).Outcome);
        iso.Halt();
        Assert.Equal(CardState.Halt, emulator.Field[0].State);
        Assert.Equal(ActivationOutcome.NoCard, iso.Activate(wakeUp: false).Outcome);
        Assert.Equal(ActivationOutcome.Selected, iso.Activate(wakeUp: true).Outcome);
    }

    [Fact]
    public async Task The_polling_loop_delivers_a_tap_and_stops_when_cancelled()
    {
        var (chip, emulator) = Start();
        var reader = new Mfrc522CardReader(chip, TimeSpan.FromMilliseconds(5), TimeProvider.System);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var taps = new List<CardRead>();
        var loop = Task.Run(async () =>
        {
            await foreach (var read in reader.ReadAsync(cancel.Token))
            {
                taps.Add(read);
                await cancel.CancelAsync();
            }
        });
        // The card arrives once the loop has polled an empty field at least once (not after a guessed delay).
        for (var deadline = DateTime.UtcNow.AddSeconds(10); reader.Polls == 0 && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(5);
        }

        emulator.Place(new MifareClassicCard([0x04, 0xA1, 0xB2, 0xC3]));
        await loop;
        Assert.Equal("04A1B2C3", Assert.Single(taps).UidHex);
        Assert.True(reader.Polls > 1);
    }

    [Fact]
    public void A_reader_missing_at_start_is_unavailable_then_opened_and_read_once_it_answers()
    {
        // Nothing answers on the bus, and the reset pin's GPIO refuses the terminal's user: the reader is opened at
        // its first poll, not before, and each poll that cannot open it says why and leaves nothing open.
        var emulator = new Mfrc522Emulator { Connected = false };
        var gpio = new SimulatedGpioDriver { OpenPinError = "Error 13 (Permission denied) initializing the Gpio driver." };
        var opened = 0;
        using var reader = new Mfrc522CardReader(Mfrc522.BusNameOf(emulator.ConnectionSettings), () =>
        {
            opened++;
            return new Mfrc522(emulator, new GpioController(gpio), 25);
        }, TimeSpan.Zero, TimeProvider.System);
        Assert.Equal(ReaderState.Opening, reader.Health.State);
        Assert.Equal(0, opened);

        var refused = Assert.Throws<ReaderUnavailableException>(reader.Poll);
        Assert.Contains("Error 13", refused.Message, StringComparison.Ordinal);
        Assert.Equal(ReaderState.Unavailable, reader.Health.State);
        Assert.Equal(refused.Message, reader.Health.Problem);

        gpio.OpenPinError = null;
        var silent = Assert.Throws<ReaderUnavailableException>(reader.Poll);
        Assert.Contains("no reader on SPI bus 0", silent.Message, StringComparison.Ordinal);
        Assert.False(gpio.IsOpen(25)); // the failed chip was let go, its reset pin closed

        emulator.Connected = true;
        emulator.Place(new MifareClassicCard([0x04, 0xA1, 0xB2, 0xC3]));
        Assert.Equal("04A1B2C3", reader.Poll()?.UidHex);
        Assert.Equal(ReaderState.Ready, reader.Health.State);
        Assert.Equal(3, opened);
    }

    [Fact]
    public void A_chip_reset_between_polls_is_found_and_set_up_again_and_a_placed_card_is_tapped_within_five_polls()
    {
        var (chip, emulator) = Start();
        chip.SetGain(ReceiverGain.Db48);
        var reader = new Mfrc522CardReader(chip, TimeSpan.Zero, TimeProvider.System);
        Assert.Null(reader.Poll());

        // A brown-out's reset, as the chip sees it: TMode 00h (no timer), TxControl 80h (antenna off), RFCfg 48h.
        emulator.Write([(byte)((byte)Register.Command << 1), (byte)Mfrc522Command.SoftReset]);
        emulator.Place(new MifareClassicCard([0x04, 0xA1, 0xB2, 0xC3]));
        var taps = Enumerable.Range(0, 5).Select(_ => reader.Poll()).OfType<CardRead>().ToList();
        Assert.Equal("04A1B2C3", Assert.Single(taps).UidHex);
        Assert.Equal(1, reader.Health.Recoveries);
        Assert.Contains("TMode 0x00", reader.Health.LastRecoveryFound, StringComparison.Ordinal);
        Assert.Equal(ReceiverGain.Db48, chip.Gain); // set up as it was, gain included
        Assert.Equal(ReaderState.Ready, reader.Health.State);
    }

    [Fact]
    public void A_reader_unplugged_and_plugged_in_again_is_unavailable_then_set_up_again_and_reads_a_tap()
    {
        var (chip, emulator) = Start();
        var reader = new Mfrc522CardReader(chip, TimeSpan.Zero, TimeProvider.System);
        Assert.Null(reader.Poll());

        // Unplugged: every poll times out; the third reads the version back, finds nothing there, and says so.
        emulator.Connected = false;
        Assert.Null(reader.Poll());
        Assert.Null(reader.Poll());
        var gone = Assert.Throws<ReaderUnavailableException>(reader.Poll);
        Assert.Contains("no reader on SPI bus 0", gone.Message, StringComparison.Ordinal);
        Assert.Equal(ReaderState.Unavailable, reader.Health.State);

        // Plugged in again, its power-on reset undoing the set-up: the next poll sets it up, a card is read.
        emulator.Connected = true;
        emulator.Write([(byte)((byte)Register.Command << 1), (byte)Mfrc522Command.SoftReset]);
        emulator.Place(new MifareClassicCard([0x04, 0xA1, 0xB2, 0xC3]));
        var taps = Enumerable.Range(0, 5).Select(_ => reader.Poll()).OfType<CardRead>().ToList();
        Assert.Equal("04A1B2C3", Assert.Single(taps).UidHex);
        Assert.Equal(ReaderState.Ready, reader.Health.State);
    }

    [Fact]
    public void Garbled_answers_from_a_card_are_not_taken_for_a_reset_chip()
    {
        var (chip, emulator) = Start();
        var reader = new Mfrc522CardReader(chip, TimeSpan.Zero, TimeProvider.System);
        var card = new MifareClassicCard([0x04, 0xA1, 0xB2, 0xC3]);
        emulator.Place(card);
        for (var i = 0; i < Mfrc522CardReader.CheckAfterFailedPolls; i++)
        {
            emulator.InjectCrcError();
            Assert.Null(reader.Poll());
        }

        Assert.Equal(0, reader.Health.Recoveries);
        Assert.Equal("04A1B2C3", reader.Poll()?.UidHex);
    }

    internal static (Mfrc522 Chip, Mfrc522Emulator Emulator) Start(byte version = 0x92)
    {
        var emulator = new Mfrc522Emulator(version: version);
        var chip = new Mfrc522(emulator);
        chip.Initialise();
        return (chip, emulator);
    }

    private static VirtualCard Card(string kind, string uid) => kind switch
    {
        "classic" => new MifareClassicCard(Convert.FromHexString(uid)),
        "ultralight" => new UltralightCard(Convert.FromHexString(uid)),
        _ => new Iso14443Part4Card(Convert.FromHexString(uid)),
    };

    private static byte[] Block(string text)
    {
        var block = new byte[16];
        System.Text.Encoding.ASCII.GetBytes(text).CopyTo(block, 0);
        return block;
    }
}
