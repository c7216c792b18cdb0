namespace KioskPos.Firmware.Transports;

/// <summary>How a serial printer says "wait": the setting on its DIP switches or in its utility must match.</summary>
public enum SerialFlowControl
{
    /// <summary>None: the bytes go at the baud rate whatever the printer's buffer holds (the printers' default at 9600 and below).</summary>
    None,

    /// <summary>Software: the printer sends XOFF (0x13) when its buffer is nearly full and XON (0x11) when it has room.</summary>
    XonXoff,

    /// <summary>Hardware: the printer drops CTS (its DTR/busy line wired to the host's CTS) while it cannot take more.</summary>
    RtsCts,

    /// <summary>Hardware, Epson's default for serial TM printers: the printer drops DSR while busy. Linux has no DTR/DSR
    /// flow control of its own: the transport looks at DSR before each piece it writes (a piece is a tenth of a second
    /// of the line, well inside the margin printers keep when they signal busy).</summary>
    DtrDsr,
}

/// <summary>The names of <see cref="SerialFlowControl"/> in a printer address.</summary>
public static class SerialFlowControls
{
    /// <summary>Reads <c>none</c>, <c>xonxoff</c>, <c>rtscts</c> or <c>dtrdsr</c>.</summary>
    public static bool TryParse(string text, out SerialFlowControl flow)
    {
        (var known, flow) = text.ToLowerInvariant() switch
        {
            "none" => (true, SerialFlowControl.None),
            "xonxoff" => (true, SerialFlowControl.XonXoff),
            "rtscts" => (true, SerialFlowControl.RtsCts),
            "dtrdsr" => (true, SerialFlowControl.DtrDsr),
            _ => (false, SerialFlowControl.None),
        };
        return known;
    }

    /// <summary>The name as an address spells it.</summary>
    public static string Name(this SerialFlowControl flow) => flow.ToString().ToLowerInvariant();
}
