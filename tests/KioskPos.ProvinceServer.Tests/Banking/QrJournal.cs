using System.Globalization;
using System.Net.Http.Json;
using KioskPos.Core.VietQr;
using KioskPos.Shared.Contracts;

namespace KioskPos.ProvinceServer.Tests.Banking;

/// <summary>A school terminal's journal of VietQR payments, pushed signed and chained as the terminal pushes it.</summary>
internal sealed class QrJournal : IDisposable
{
    private readonly HttpClient _client;
    private readonly string _terminal;
    private readonly int _qrTag;
    private long _next = 1;
    private string _previous = EntryCanonicalForm.GenesisHash;

    private QrJournal(HttpClient client, string terminal, int qrTag) => (_client, _terminal, _qrTag) = (client, terminal, qrTag);

    public static async Task<QrJournal> StartAsync(ProvinceHost province, string terminal = "KP-THCS-ND-01", string institution = "TG-THCS-NGUYENDU")
    {
        var client = await province.SignedClientAsync(terminal, institution);
        var tag = Convert.ToInt32(await province.ScalarAsync("SELECT qr_tag FROM terminals WHERE id = $t", ("$t", terminal)), CultureInfo.InvariantCulture);
        return new QrJournal(client, terminal, tag);
    }

    public string CodeOf(long sequence) => TransferCode.Create(_qrTag, sequence).Value;

    /// <summary>Pushes a VietQR payment of one bill whose QR pays <paramref name="bankBin"/>/<paramref name="bankAccount"/>; returns its id and transfer code.</summary>
    public async Task<(string Id, string Code)> VietQrAsync(string payer, string bill, long amount, string bankBin, string bankAccount)
    {
        var sequence = _next++;
        var id = $"{_terminal}-{sequence:D8}";
        var code = CodeOf(sequence);
        var payload = VietQrBuilder.Build(new VietQrPayload(true, bankBin, bankAccount, Amount: amount, Additional: new VietQrAdditionalData(Purpose: code)));
        var entry = new JournalEntryDto(sequence, EntryKinds.PaymentCreated, DateTimeOffset.UtcNow,
            Payment: new PaymentCreatedDto(id, payer, null, "vietqr", amount, [new AllocationDto(bill, amount)], "thu-ngan-01",
                Qr: new VietQrDto(code, payload, DateTimeOffset.UtcNow.AddHours(1))));
        var hash = EntryCanonicalForm.ChainHash(_previous, entry);
        using var response = await _client.PostAsJsonAsync(SyncProtocol.PushPath, new PushRequest(_terminal, [entry with { PrevHash = _previous, Hash = hash }]), ContractsJsonContext.Default.PushRequest);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        Assert.All((await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PushResponse))!.Results, r => Assert.Equal("accepted", r.Status));
        _previous = hash;
        return (id, code);
    }

    public void Dispose() => _client.Dispose();
}
