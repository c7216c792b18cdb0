using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.ProvinceServer.Data;
using KioskPos.ProvinceServer.EInvoices;
using KioskPos.Shared.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace KioskPos.ProvinceServer.Tests.EInvoices;

/// <summary>
/// What the e-document tests share: a province with its background issuer off (the tests run the issuer on a fake
/// clock), a terminal's journal pushed signed as the terminal pushes it, and settings pointing at a simulator.
/// </summary>
internal sealed class EInvoiceFixture : IAsyncDisposable
{
    public const string School = "TG-THCS-NGUYENDU";
    public const string Terminal = "KP-THCS-ND-01";
    public static readonly DateTimeOffset PaidAt = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);

    private readonly HttpClient _terminal;
    private long _sequence;
    private string _previous = EntryCanonicalForm.GenesisHash;
    private JournalEntryDto? _last;

    private EInvoiceFixture(ProvinceHost province, HttpClient terminal)
    {
        Province = province;
        _terminal = terminal;
        Clock = new FakeTimeProvider(PaidAt.AddHours(1));
        Issuer = ActivatorUtilities.CreateInstance<EDocumentIssuer>(province.App.Services, Clock);
    }

    public ProvinceHost Province { get; }

    public FakeTimeProvider Clock { get; }

    public EDocumentIssuer Issuer { get; }

    /// <summary>Each payment's journal hash as pushed: its first 12 hex digits are the receipt's lookup token.</summary>
    public Dictionary<string, string> Hashes { get; } = new(StringComparer.Ordinal);

    /// <summary>Starts the province with its background issuer off; <paramref name="extra"/> settings come after, and win.</summary>
    public static async Task<EInvoiceFixture> StartAsync(ProvinceEngine engine = ProvinceEngine.Sqlite, string[]? extra = null)
    {
        var province = await ProvinceHost.StartAsync(engine: engine, settings: ["--EDocuments:Worker=false", .. extra ?? []]);
        return new EInvoiceFixture(province, await province.SignedClientAsync(Terminal, School));
    }

    public static object ViettelSettings(Uri baseUrl, string series = ViettelSInvoiceSimulator.Series) => new
    {
        documentKind = "invoice", provider = "viettel-sinvoice", baseUrl = baseUrl.ToString(), templateCode = ViettelSInvoiceSimulator.Template, series,
        sellerTaxCode = ViettelSInvoiceSimulator.User, sellerName = "Trường THCS Nguyễn Du", username = ViettelSInvoiceSimulator.User, secret = ViettelSInvoiceSimulator.Password,
    };

    public static object SePaySettings(Uri baseUrl, string series = SePayEInvoiceSimulator.Series) => new
    {
        documentKind = "receipt", provider = "sepay", baseUrl = baseUrl.ToString(), templateCode = SePayEInvoiceSimulator.Template, series,
        sellerTaxCode = "0301234567", sellerName = "Trường THCS Nguyễn Du", username = SePayEInvoiceSimulator.ClientId, secret = SePayEInvoiceSimulator.ClientSecret,
        accountId = SePayEInvoiceSimulator.AccountId,
    };

    public async Task ConfigureAsync(object settings)
    {
        using var response = await Province.Admin.PutAsJsonAsync($"/api/v1/admin/institutions/{School}/e-documents", settings);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    /// <summary>Pushes a card payment of <paramref name="bill"/>; returns its id.</summary>
    public Task<string> PayAsync(string bill, long amount, string account = "HS240001", string card = "04A1B2C3") =>
        PayBillsAsync([new AllocationDto(bill, amount)], account, card);

    /// <summary>Pushes a card payment of several bills (HS240001's by default); returns its id.</summary>
    public async Task<string> PayBillsAsync(AllocationDto[] bills, string account = "HS240001", string card = "04A1B2C3")
    {
        var id = $"{Terminal}-{_sequence + 1:D8}";
        var hash = await PushAsync(new JournalEntryDto(_sequence + 1, EntryKinds.PaymentCreated, PaidAt.AddMinutes(_sequence),
            Payment: new PaymentCreatedDto(id, account, card, "card_balance", bills.Sum(b => b.Amount), bills, null)));
        Hashes[id] = hash;
        return id;
    }

    /// <summary>Pushes a void (<see cref="EntryKinds.PaymentVoided"/>) or refund of <paramref name="paymentId"/> giving back <paramref name="bills"/>; returns its entry's sequence.</summary>
    public async Task<long> ReverseAsync(string kind, string paymentId, params AllocationDto[] bills)
    {
        await PushAsync(new JournalEntryDto(_sequence + 1, kind, PaidAt.AddMinutes(_sequence),
            Reversal: new PaymentReversalDto(paymentId, bills.Sum(b => b.Amount), bills, ReversalDestinations.CardBalance, null, "Thu nhầm", "thu-ngan-01", "giam-sat-01")));
        return _sequence;
    }

    /// <summary>Pushes a void of <paramref name="paymentId"/> back to the card, approved by a supervisor.</summary>
    public Task VoidAsync(string paymentId, string bill, long amount) =>
        PushAsync(new JournalEntryDto(_sequence + 1, EntryKinds.PaymentVoided, PaidAt.AddMinutes(_sequence),
            Reversal: new PaymentReversalDto(paymentId, amount, [new AllocationDto(bill, amount)], ReversalDestinations.CardBalance, null, "Thu nhầm", "thu-ngan-01", "giam-sat-01")));

    /// <summary>Pushes a refund of part of <paramref name="paymentId"/> back to the card, approved by a supervisor.</summary>
    public Task RefundAsync(string paymentId, string bill, long amount) =>
        PushAsync(new JournalEntryDto(_sequence + 1, EntryKinds.PaymentRefunded, PaidAt.AddMinutes(_sequence),
            Reversal: new PaymentReversalDto(paymentId, amount, [new AllocationDto(bill, amount)], ReversalDestinations.CardBalance, null, "Miễn giảm học phí", "thu-ngan-01", "giam-sat-01")));

    /// <summary>Pushes the last entry again, as a terminal does when the answer to its push was lost.</summary>
    public async Task PushLastAgainAsync()
    {
        using var response = await _terminal.PostAsJsonAsync(SyncProtocol.PushPath, new PushRequest(Terminal, [_last!]), ContractsJsonContext.Default.PushRequest);
        response.EnsureSuccessStatusCode();
    }

    private async Task<string> PushAsync(JournalEntryDto entry)
    {
        var hash = EntryCanonicalForm.ChainHash(_previous, entry);
        var chained = entry with { PrevHash = _previous, Hash = hash };
        using var response = await _terminal.PostAsJsonAsync(SyncProtocol.PushPath, new PushRequest(Terminal, [chained]), ContractsJsonContext.Default.PushRequest);
        response.EnsureSuccessStatusCode();
        _last = chained;
        _previous = hash;
        _sequence = entry.Sequence;
        return hash;
    }

    /// <summary>Runs the issuer round after round, the fake clock moving <paramref name="step"/> between rounds, for <paramref name="span"/>.</summary>
    public async Task RunForAsync(TimeSpan span, TimeSpan step)
    {
        for (var passed = TimeSpan.Zero; passed <= span; passed += step)
        {
            await Issuer.RunOnceAsync(CancellationToken.None);
            Clock.Advance(step);
        }
    }

    public async Task<JsonElement[]> WorklistAsync(string? state = null) =>
        (await Province.Admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/e-documents" + (state is null ? string.Empty : "?state=" + state)))!;

    public async ValueTask DisposeAsync()
    {
        _terminal.Dispose();
        await Province.DisposeAsync();
    }
}
