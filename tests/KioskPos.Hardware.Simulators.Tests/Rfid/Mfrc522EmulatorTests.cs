using KioskPos.Hardware.Simulators.Rfid;

namespace KioskPos.Hardware.Simulators.Tests.Rfid;

/// <summary>
/// The chip emulator on its SPI pins alone, byte for byte, without our driver: what NXP's MFRC522 datasheet (rev. 3.9)
/// says the chip answers. The expected values below are transcribed from the datasheet here, not taken from the
/// emulator or the driver.
/// </summary>
public class Mfrc522EmulatorTests
{
    /// <summary>Reset values of section 9.3 (tables 21-147); null where the datasheet says "xxh".</summary>
    private static readonly byte?[] s_datasheetResetValues =
    [
        0x00, 0x20, 0x80, 0x00, 0x14, 0x00, 0x00, 0x21, // 00h reserved, Command, ComIEn, DivIEn, ComIrq, DivIrq (x0h, Set2 reads 0), Error, Status1
        0x00, null, 0x00, 0x08, 0x10, 0x00, null, 0x00, // 08h Status2, FIFOData, FIFOLevel, WaterLevel, Control, BitFraming, Coll, reserved
        0x00, 0x3F, 0x00, 0x00, 0x80, 0x00, 0x10, 0x84, // 10h reserved, Mode, TxMode, RxMode, TxControl, TxASK, TxSel, RxSel
        0x84, 0x4D, 0x00, 0x00, 0x62, 0x00, 0x00, 0xEB, // 18h RxThreshold, Demod, reserved, reserved, MfTx, MfRx, reserved, SerialSpeed
        0x00, 0xFF, 0xFF, 0x88, 0x26, 0x87, 0x48, 0x88, // 20h reserved, CRCResult MSB, LSB, reserved, ModWidth, reserved, RFCfg, GsN
        0x20, 0x20, 0x00, 0x00, 0x00, 0x00, null, null, // 28h CWGsP, ModGsP, TMode, TPrescaler, TReload H, L, TCounterVal H, L
        0x00, 0x00, 0x00, 0x80, 0x00, null, 0x40, null, // 30h reserved, TestSel1, TestSel2, TestPinEn, TestPinValue, TestBus, AutoTest, Version
        0x00, null, null, null, 0xFF, 0x00, 0x03, 0x00, // 38h AnalogTest, TestDAC1, TestDAC2, TestADC, reserved 3Ch-3Fh
    ];

    /// <summary>Datasheet 16.1.1: the FIFO after the self-test, MFRC522 version 1.0 (VersionReg 91h).</summary>
    private const string SelfTestVersion1 =
        "00C637D532B7575C" + "C2D87C4DD970C773" + "10E6D2AA5EA13E5A" + "14AF3061C970DB2E" +
        "642272B5BD65F4EC" + "22BCD37235CDAA41" + "1FA7F35314DE7E02" + "D90FB55E251D2979";

    /// <summary>Datasheet 16.1.1: the FIFO after the self-test, MFRC522 version 2.0 (VersionReg 92h).</summary>
    private const string SelfTestVersion2 =
        "00EB66BA57BF2395" + "D0E30D3D27895CDE" + "9D3BA700215B8982" + "513AEB020CA50049" +
        "7C844DB3CCD21B81" + "5D4876D5716121A9" + "86968338CF9D5B6D" + "DC15BA3E7D953B2F";

    [Theory]
    [InlineData(0x91)]
    [InlineData(0x92)]
    public void Every_register_reads_its_datasheet_reset_value_at_power_up_and_after_a_soft_reset(byte version)
    {
        var chip = new Mfrc522Emulator(version: version);
        AssertResetValues(chip, version);

        // Scribble over every writable register, then SoftReset (10.3.1.10): all registers back to their reset values.
        for (var address = 0x01; address <= 0x3F; address++)
        {
            if (address is not (0x01 or 0x09 or 0x0A))
            {
                Write(chip, address, 0x5A);
            }
        }

        Write(chip, 0x01, 0x0F);
        AssertResetValues(chip, version);
    }

    [Fact]
    public void Read_only_bits_ignore_writes_and_write_only_bits_read_back_as_zero()
    {
        var chip = new Mfrc522Emulator();
        Write(chip, 0x37, 0x00); // VersionReg: R
        Write(chip, 0x06, 0xFF); // ErrorReg: R
        Write(chip, 0x0D, 0x87); // BitFramingReg: StartSend is W
        Write(chip, 0x0C, 0xC0); // ControlReg: TStopNow, TStartNow are W
        Write(chip, 0x08, 0x08); // Status2Reg: MFCrypto1On only MFAuthent sets
        Assert.Equal(0x92, Read(chip, 0x37));
        Assert.Equal(0x00, Read(chip, 0x06));
        Assert.Equal(0x07, Read(chip, 0x0D));
        Assert.Equal(0x10, Read(chip, 0x0C));
        Assert.Equal(0x00, Read(chip, 0x08));
    }

    [Fact]
    public void An_aliased_transfer_answers_exactly_as_one_with_two_buffers()
    {
        // Two chips in the same state; one is driven with separate write and read buffers, the other with one buffer
        // for both, as Linux spidev allows and dotnet/iot's MfRc522 does.
        var separate = new Mfrc522Emulator();
        var aliased = new Mfrc522Emulator();
        byte[][] transfers =
        [
            [0x80 | (0x37 << 1), 0x00], // VersionReg
            [0x80 | (0x04 << 1), 0x00], // ComIrqReg
            [0x09 << 1, 0x11, 0x22, 0x33, 0x44, 0x55], // five bytes into the FIFO in one burst
            [0x80 | (0x0A << 1), 0x00], // FIFOLevelReg
            [0x80 | (0x09 << 1), 0x80 | (0x09 << 1), 0x80 | (0x09 << 1), 0x00], // three FIFO reads in one burst
            [0x80 | (0x11 << 1), 0x80 | (0x14 << 1), 0x80 | (0x26 << 1), 0x80 | (0x37 << 1), 0x00], // four registers in one burst
            [0x80 | (0x09 << 1), 0x80 | (0x09 << 1), 0x00], // the last two FIFO bytes
        ];

        foreach (var transfer in transfers)
        {
            var read = new byte[transfer.Length];
            separate.TransferFullDuplex(transfer, read);
            var shared = (byte[])transfer.Clone();
            aliased.TransferFullDuplex(shared, shared);
            Assert.Equal(Convert.ToHexString(read), Convert.ToHexString(shared));
        }

        // And the answers are the datasheet's: the value of address i-1 comes out during byte i.
        var version = new byte[] { 0x80 | (0x37 << 1), 0x00 };
        aliased.TransferFullDuplex(version, version);
        Assert.Equal(0x92, version[1]);
        var burst = new byte[] { 0x80 | (0x11 << 1), 0x80 | (0x14 << 1), 0x80 | (0x26 << 1), 0x80 | (0x37 << 1), 0x00 };
        aliased.TransferFullDuplex(burst, burst);
        Assert.Equal("003F804892", Convert.ToHexString(burst));
    }

    [Fact]
    public void Burst_writes_fill_the_fifo_and_burst_reads_empty_it_in_order()
    {
        var chip = new Mfrc522Emulator();
        var data = Enumerable.Range(0, 64).Select(i => (byte)(i * 3)).ToArray();
        chip.Write([(byte)(0x09 << 1), .. data]);
        Assert.Equal(64, Read(chip, 0x0A));

        // One byte more than the FIFO holds: BufferOvfl (9.3.1.7), nothing lost from what is there.
        Write(chip, 0x09, 0xEE);
        Assert.Equal(0x10, Read(chip, 0x06) & 0x10);
        Assert.Equal(64, Read(chip, 0x0A));

        var request = Enumerable.Repeat((byte)(0x80 | (0x09 << 1)), 64).Append((byte)0x00).ToArray();
        var answer = new byte[request.Length];
        chip.TransferFullDuplex(request, answer);
        Assert.Equal(Convert.ToHexString(data), Convert.ToHexString(answer[1..]));
        Assert.Equal(0, Read(chip, 0x0A));

        // FlushBuffer clears BufferOvfl (9.3.1.11).
        Write(chip, 0x0A, 0x80);
        Assert.Equal(0x00, Read(chip, 0x06));
    }

    [Fact]
    public void Status1_follows_the_fifo_level_against_the_water_level()
    {
        var chip = new Mfrc522Emulator();
        Assert.Equal(0x01, Read(chip, 0x07) & 0x03); // empty: LoAlert
        chip.Write([(byte)(0x09 << 1), .. new byte[60]]);
        Assert.Equal(0x02, Read(chip, 0x07) & 0x03); // 64 - 60 = 4 <= 8: HiAlert
        Write(chip, 0x0B, 0x02);
        Assert.Equal(0x00, Read(chip, 0x07) & 0x03);
    }

    [Fact]
    public void The_crc_coprocessor_goes_on_with_bytes_written_while_it_runs()
    {
        var chip = new Mfrc522Emulator();
        Write(chip, 0x11, 0x3D); // CRC preset 6363h
        chip.Write([(byte)(0x09 << 1), 0x50]);
        Write(chip, 0x01, 0x03); // CalcCRC
        Write(chip, 0x09, 0x00); // "the next byte written to the FIFO buffer is added to the calculation" (10.3.1.4)
        Assert.Equal(0x04, Read(chip, 0x05) & 0x04);
        Assert.Equal(0xCD, Read(chip, 0x21)); // HLTA 50 00 → CRC_A 57 CD, sent low byte first
        Assert.Equal(0x57, Read(chip, 0x22));
        Assert.Equal(0x03, Read(chip, 0x01) & 0x0F); // CalcCRC runs until another command
        Write(chip, 0x01, 0x00);
        Assert.Equal(0x00, Read(chip, 0x01) & 0x0F);
    }

    [Theory]
    [InlineData(0x91, SelfTestVersion1)]
    [InlineData(0x92, SelfTestVersion2)]
    public void The_digital_self_test_of_section_16_1_1_gives_the_published_64_bytes(byte version, string expected)
    {
        var chip = new Mfrc522Emulator(version: version);

        // 1. soft reset; 2. 25 bytes of 00h into the internal buffer with Mem; 3. AutoTestReg 09h; 4. 00h into the
        // FIFO; 5. CalcCRC; 7. the FIFO holds 64 bytes.
        Write(chip, 0x01, 0x0F);
        Write(chip, 0x0A, 0x80);
        chip.Write([(byte)(0x09 << 1), .. new byte[25]]);
        Write(chip, 0x01, 0x01);
        Write(chip, 0x36, 0x09);
        Write(chip, 0x09, 0x00);
        Write(chip, 0x01, 0x03);
        Assert.Equal(64, Read(chip, 0x0A));
        Write(chip, 0x01, 0x00);

        var request = Enumerable.Repeat((byte)(0x80 | (0x09 << 1)), 64).Append((byte)0x00).ToArray();
        chip.TransferFullDuplex(request, request);
        Assert.Equal(expected, Convert.ToHexString(request[1..]));
        Assert.Equal(version, Read(chip, 0x37));
    }

    [Fact]
    public void The_mem_command_keeps_25_bytes_across_a_soft_reset_and_gives_them_back()
    {
        var chip = new Mfrc522Emulator();
        var data = Enumerable.Range(1, 25).Select(i => (byte)i).ToArray();
        chip.Write([(byte)(0x09 << 1), .. data]);
        Write(chip, 0x01, 0x01);
        Assert.Equal(0, Read(chip, 0x0A));
        Assert.Equal(0x10, Read(chip, 0x04) & 0x10); // Mem ends by itself: IdleIRq

        Write(chip, 0x01, 0x0F);
        Write(chip, 0x01, 0x01); // empty FIFO: the internal buffer comes back (10.3.1.2)
        Assert.Equal(25, Read(chip, 0x0A));
        Assert.Equal(data, chip.InternalBuffer);
    }

    private static void AssertResetValues(Mfrc522Emulator chip, byte version)
    {
        for (var address = 0; address < 0x40; address++)
        {
            var value = Read(chip, address);
            var expected = address == 0x37 ? version : s_datasheetResetValues[address];
            if (expected is { } known)
            {
                Assert.True(known == value, $"register {address:X2}h reads {value:X2}h, the datasheet's reset value is {known:X2}h");
            }
        }
    }

    internal static byte Read(Mfrc522Emulator chip, int address)
    {
        Span<byte> tx = [(byte)(0x80 | (address << 1)), 0x00];
        Span<byte> rx = stackalloc byte[2];
        chip.TransferFullDuplex(tx, rx);
        return rx[1];
    }

    internal static void Write(Mfrc522Emulator chip, int address, byte value) => chip.Write([(byte)(address << 1), value]);
}
