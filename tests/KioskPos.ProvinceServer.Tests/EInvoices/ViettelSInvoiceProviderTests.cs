using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using KioskPos.Core.Money;
using KioskPos.ProvinceServer.EInvoices;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace KioskPos.ProvinceServer.Tests.EInvoices;

/// <summary>
/// The Viettel S-Invoice adapter against the local S-Invoice over loopback (review of the e-invoices, finding 1): it
/// logs in at <c>/auth/login</c> and sends the token as the <c>access_token</c> cookie, keeps the token per account until
/// shortly before it expires and logs in again once when Viettel answers a kept token as expired.
/// </summary>
public sealed class ViettelSInvoiceProviderTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 23, 3, 0, 0, TimeSpan.Zero);

    private sealed class Clients : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new() { Timeout = TimeSpan.FromSeconds(30) };
    }

    private static (ViettelSInvoiceProvider Provider, FakeTimeProvider Clock) Adapter()
    {
        var clock = new FakeTimeProvider(s_now);
        return (new ViettelSInvoiceProvider(new Clients(), clock), clock);
    }

    private static ProviderAccount Account(ViettelSInvoiceSimulator viettel, string secret = ViettelSInvoiceSimulator.Password) =>
        new(viettel.BaseUrl, ViettelSInvoiceSimulator.User, secret, null);

    private static EDocument Original(string id, EDocumentBuyer? buyer = null) =>
        new(id, EDocument.KeyOf(id), EDocumentKind.Invoice, EDocumentPurpose.Original, ViettelSInvoiceSimulator.Template, ViettelSInvoiceSimulator.Series,
            new EDocumentSeller(ViettelSInvoiceSimulator.User, "Trường THCS Nguyễn Du"), buyer ?? new EDocumentBuyer("Nguyễn Văn An", "HS240001"),
            [new EDocumentLine("Học phí tháng 11/2026", 150_000)], 150_000, VietnameseWords.Dong(150_000), "card_balance", id, s_now.AddMilliseconds(456));

    private static EDocument Refund(string paymentId, EDocumentReference original) =>
        new($"{paymentId}/KP-THCS-ND-01/2", EDocument.KeyOf($"{paymentId}/KP-THCS-ND-01/2"), EDocumentKind.Invoice, EDocumentPurpose.Adjustment,
            ViettelSInvoiceSimulator.Template, ViettelSInvoiceSimulator.Series, new EDocumentSeller(ViettelSInvoiceSimulator.User, "Trường THCS Nguyễn Du"),
            new EDocumentBuyer("Nguyễn Văn An", "HS240001"), [new EDocumentLine("Hoàn tiền thanh toán " + paymentId, 50_000)], 50_000, VietnameseWords.Dong(50_000),
            "card_balance", paymentId, s_now.AddHours(1).AddMilliseconds(789), original);

    private static IResult Raw(string body, string contentType = "application/json", int status = 200) =>
        Results.Content(body, contentType, Encoding.UTF8, status);

    [Fact]
    public async Task Issues_with_a_token_from_auth_login_sent_as_the_access_token_cookie_never_with_basic_authentication()
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        var (provider, _) = Adapter();

        var outcome = await provider.IssueAsync(Original("KP-1"), Account(viettel), retry: false, CancellationToken.None);

        var issued = Assert.IsType<IssueOutcome.Issued>(outcome);
        Assert.Equal(Assert.Single(viettel.Invoices.Values).InvoiceNo, issued.Number);
        Assert.Equal((1, 0), (viettel.Logins, viettel.Unauthorised));
    }

    [Fact]
    public async Task Keeps_one_token_per_account_until_shortly_before_it_expires_then_logs_in_again()
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        await using var other = await ViettelSInvoiceSimulator.StartAsync();
        var (provider, clock) = Adapter();

        Assert.IsType<IssueOutcome.Issued>(await provider.IssueAsync(Original("KP-1"), Account(viettel), false, CancellationToken.None));
        Assert.IsType<IssueOutcome.Issued>(await provider.IssueAsync(Original("KP-2"), Account(viettel), false, CancellationToken.None));
        Assert.IsType<IssueOutcome.Issued>(await provider.IssueAsync(Original("KP-3"), Account(other), false, CancellationToken.None));
        Assert.Equal((1, 1), (viettel.Logins, other.Logins)); // one login per account, each token kept

        // 4 min 40 s into a 5-minute token: within the margin, so a new one rather than one that may expire on the way.
        clock.Advance(viettel.TokenLifetime - TimeSpan.FromSeconds(20));
        Assert.IsType<IssueOutcome.Issued>(await provider.IssueAsync(Original("KP-4"), Account(viettel), false, CancellationToken.None));
        Assert.Equal((2, 0), (viettel.Logins, viettel.Unauthorised));
    }

    [Theory]
    [InlineData(false)] // the guide's error list: an expired token is HTTP 500 "GENERAL"
    [InlineData(true)] // or 401 invalid_token
    public async Task A_kept_token_viettel_has_expired_is_renewed_once_and_the_call_repeated(bool as401)
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        var (provider, _) = Adapter();
        Assert.IsType<IssueOutcome.Issued>(await provider.IssueAsync(Original("KP-1"), Account(viettel), false, CancellationToken.None));

        viettel.ExpiredAs401 = as401;
        viettel.ExpireTokens();
        Assert.IsType<IssueOutcome.Issued>(await provider.IssueAsync(Original("KP-2"), Account(viettel), retry: true, CancellationToken.None));

        Assert.Equal((2, 1, 2), (viettel.Logins, viettel.Unauthorised, viettel.Invoices.Count));
    }

    [Fact]
    public async Task A_wrong_password_is_refused_at_the_login_and_nothing_is_sent()
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        var (provider, _) = Adapter();

        var refused = Assert.IsType<IssueOutcome.Refused>(await provider.IssueAsync(Original("KP-1"), Account(viettel, "rotated-password"), false, CancellationToken.None));

        Assert.Equal("HTTP 401 at login: invalid_grant: Bad credentials", refused.Reason);
        Assert.Equal((0, 0), (viettel.CreateCalls, viettel.Logins));
    }

    [Fact]
    public async Task A_provider_down_at_the_login_is_later()
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        var (provider, _) = Adapter();
        viettel.Down = true;

        var later = Assert.IsType<IssueOutcome.Later>(await provider.IssueAsync(Original("KP-1"), Account(viettel), false, CancellationToken.None));

        Assert.Equal("HTTP 500 at login", later.Reason);
    }
}
