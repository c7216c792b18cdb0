namespace KioskPos.Firmware.Readers.Mfrc522;

/// <summary>MFRC522 registers (NXP MFRC522 datasheet rev. 3.9, section 9.2, table 20).</summary>
public enum Register : byte
{
    /// <summary>Starts and stops command execution (9.3.1.2).</summary>
    Command = 0x01,

    /// <summary>Interrupt request enable bits for ComIrq (9.3.1.3).</summary>
    ComIEn = 0x02,

    /// <summary>Interrupt request enable bits for DivIrq (9.3.1.4).</summary>
    DivIEn = 0x03,

    /// <summary>Interrupt request bits (9.3.1.5); see <see cref="ComIrq"/>.</summary>
    ComIrq = 0x04,

    /// <summary>Interrupt request bits: CRCIrq 0x04, MfinActIrq 0x10 (9.3.1.6).</summary>
    DivIrq = 0x05,

    /// <summary>Error bits of the last command (9.3.1.7); see <see cref="ErrorFlags"/>.</summary>
    Error = 0x06,

    /// <summary>Communication status: CRCReady 0x20, CRCOk 0x40 (9.3.1.8).</summary>
    Status1 = 0x07,

    /// <summary>Receiver and transmitter status: MFCrypto1On 0x08 (9.3.1.9).</summary>
    Status2 = 0x08,

    /// <summary>Input and output of the 64-byte FIFO (9.3.1.10).</summary>
    FifoData = 0x09,

    /// <summary>Number of bytes in the FIFO; writing 0x80 flushes it (9.3.1.11).</summary>
    FifoLevel = 0x0A,

    /// <summary>FIFO warning levels (9.3.1.12).</summary>
    WaterLevel = 0x0B,

    /// <summary>Control bits; RxLastBits in bits 2-0 (9.3.1.13).</summary>
    Control = 0x0C,

    /// <summary>Bit-oriented frames: StartSend 0x80, RxAlign bits 6-4, TxLastBits bits 2-0 (9.3.1.14).</summary>
    BitFraming = 0x0D,

    /// <summary>Position of the first bit collision (9.3.1.15).</summary>
    Coll = 0x0E,

    /// <summary>General transmit and receive modes; CRC preset in bits 1-0 (9.3.2.2).</summary>
    Mode = 0x11,

    /// <summary>Transmission data rate and framing; TxCRCEn 0x80 (9.3.2.3).</summary>
    TxMode = 0x12,

    /// <summary>Reception data rate and framing; RxCRCEn 0x80 (9.3.2.4).</summary>
    RxMode = 0x13,

    /// <summary>Antenna driver pins TX1 and TX2: 0x03 drives both (9.3.2.5).</summary>
    TxControl = 0x14,

    /// <summary>Transmit modulation: Force100ASK 0x40 (9.3.2.6).</summary>
    TxAsk = 0x15,

    /// <summary>Analog part of the driver: TX1/TX2 sources (9.3.2.7).</summary>
    TxSel = 0x16,

    /// <summary>Receiver settings (9.3.2.8).</summary>
    RxSel = 0x17,

    /// <summary>Result of CalcCRC, high byte (9.3.3.2).</summary>
    CrcResultHigh = 0x21,

    /// <summary>Result of CalcCRC, low byte (9.3.3.2).</summary>
    CrcResultLow = 0x22,

    /// <summary>Modulation width (9.3.3.4).</summary>
    ModWidth = 0x24,

    /// <summary>Receiver gain in bits 6-4 (9.3.3.6).</summary>
    RfCfg = 0x26,

    /// <summary>Timer settings: TAuto 0x80 starts the timer at the end of each transmission (9.3.3.10).</summary>
    TMode = 0x2A,

    /// <summary>Timer prescaler, low 8 bits (9.3.3.10).</summary>
    TPrescaler = 0x2B,

    /// <summary>Timer reload value, high byte (9.3.3.11).</summary>
    TReloadHigh = 0x2C,

    /// <summary>Timer reload value, low byte (9.3.3.11).</summary>
    TReloadLow = 0x2D,

    /// <summary>Digital self-test: 0x09 enables it (9.3.4.7, 16.1.1).</summary>
    AutoTest = 0x36,

    /// <summary>Chip type and version: 0x91 v1.0, 0x92 v2.0, 0x88 FM17522 (9.3.4.8).</summary>
    Version = 0x37,
}

/// <summary>Commands written to <see cref="Register.Command"/> (datasheet 10.3, table 149).</summary>
public enum Mfrc522Command : byte
{
    /// <summary>No action; cancels the current command.</summary>
    Idle = 0x00,

    /// <summary>Stores 25 bytes from the FIFO into the internal buffer.</summary>
    Mem = 0x01,

    /// <summary>Generates a 10-byte random ID.</summary>
    GenerateRandomId = 0x02,

    /// <summary>Activates the CRC coprocessor (or the self-test).</summary>
    CalcCrc = 0x03,

    /// <summary>Transmits the FIFO.</summary>
    Transmit = 0x04,

    /// <summary>Changes bits of the Command register without touching the command.</summary>
    NoCmdChange = 0x07,

    /// <summary>Activates the receiver.</summary>
    Receive = 0x08,

    /// <summary>Transmits the FIFO and activates the receiver after transmission (started by StartSend).</summary>
    Transceive = 0x0C,

    /// <summary>MIFARE Classic authentication as a reader (10.3.1.9).</summary>
    MfAuthent = 0x0E,

    /// <summary>Resets the chip.</summary>
    SoftReset = 0x0F,
}

/// <summary>Bits of <see cref="Register.ComIrq"/> (datasheet 9.3.1.5).</summary>
[Flags]
public enum ComIrq : byte
{
    /// <summary>No bit.</summary>
    None = 0,

    /// <summary>Timer decremented to zero: nothing answered in time.</summary>
    Timer = 0x01,

    /// <summary>An error bit in the Error register is set.</summary>
    Error = 0x02,

    /// <summary>FIFO level low alert.</summary>
    LoAlert = 0x04,

    /// <summary>FIFO level high alert.</summary>
    HiAlert = 0x08,

    /// <summary>A command terminated by itself (or Idle was entered).</summary>
    Idle = 0x10,

    /// <summary>The receiver detected the end of a valid data stream.</summary>
    Rx = 0x20,

    /// <summary>The last bit of the transmitted data was sent.</summary>
    Tx = 0x40,

    /// <summary>On write: 1 sets, 0 clears the marked bits.</summary>
    Set1 = 0x80,
}

/// <summary>Bits of <see cref="Register.Error"/> (datasheet 9.3.1.7).</summary>
[Flags]
public enum ErrorFlags : byte
{
    /// <summary>No error.</summary>
    None = 0,

    /// <summary>SOF or frame length wrong, or MFAuthent got the wrong number of bytes.</summary>
    Protocol = 0x01,

    /// <summary>Parity check failed.</summary>
    Parity = 0x02,

    /// <summary>The RxCRCEn check failed.</summary>
    Crc = 0x04,

    /// <summary>A bit collision was detected.</summary>
    Collision = 0x08,

    /// <summary>The FIFO was written while full.</summary>
    BufferOverflow = 0x10,

    /// <summary>Overheating: the antenna drivers were switched off.</summary>
    Temperature = 0x40,

    /// <summary>Data was written to the FIFO at a wrong moment.</summary>
    Write = 0x80,
}

/// <summary>Receiver gain, bits 6-4 of <see cref="Register.RfCfg"/> (datasheet 9.3.3.6, table 98).</summary>
public enum ReceiverGain : byte
{
    /// <summary>18 dB.</summary>
    Db18 = 0x00,

    /// <summary>23 dB.</summary>
    Db23 = 0x01,

    /// <summary>33 dB (the reset value).</summary>
    Db33 = 0x04,

    /// <summary>38 dB.</summary>
    Db38 = 0x05,

    /// <summary>43 dB.</summary>
    Db43 = 0x06,

    /// <summary>48 dB, the most sensitive.</summary>
    Db48 = 0x07,
}
