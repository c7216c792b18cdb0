using System.Net.NetworkInformation;
using KioskPos.Core.Receipts;
using KioskPos.Core.Text;
using KioskPos.Firmware.Devices;
using KioskPos.Sync;
using Microsoft.Extensions.Options;

namespace KioskPos.Terminal.Services;

/// <summary>
/// What the test page (<c>POST /api/v1/printer/test-page</c>) and the status ticket of a terminal not yet enrolled
/// say about this terminal: its id, printer, addresses, enrolment, server, version and time.
/// </summary>
internal sealed class TestPage(IOptions<TerminalOptions> options, IOptions<SyncOptions> sync, IOptions<HardwareOptions> hardware, IReceiptPrinter printer, TimeProvider time)
{
    /// <summary>What the page says, now.</summary>
    public TestPageInfo Info()
    {
        var terminal = options.Value;
        return new TestPageInfo(
            terminal.Id,
            hardware.Value.Printer,
            printer.Name,
            Addresses(),
            File.Exists(sync.Value.KeyPath) ? Messages.Both("terminal.status.device_key_present") : Messages.Both("terminal.status.not_enrolled"),
            sync.Value.BaseUrl.ToString(),
            TerminalVersion.Current,
            TimeZoneInfo.ConvertTime(time.GetUtcNow(), terminal.ResolveTimeZone()));
    }

    private static IReadOnlyList<string> Addresses()
    {
        try
        {
            return NetworkInterface.GetAllNetworkInterfaces()
                .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
                .SelectMany(n => n.GetIPProperties().UnicastAddresses.Select(a => $"{a.Address} ({n.Name})"))
                .ToList();
        }
        catch (NetworkInformationException)
        {
            return [];
        }
    }
}
