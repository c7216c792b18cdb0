using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// A card named by its UID in <c>POST /api/v1/payments</c> and <c>POST /api/v1/top-ups</c>: taken from signed-in
/// staff (typed at the counter), and from anyone else only while it is the card on the reader (tapped within
/// <c>Terminal:CardTapValidity</c>, not used up by a payment). Otherwise 422 <c>card_not_presented</c> before the card
/// is looked up, for every method, whether or not the card exists: a UID is no secret, and the answer would name the
/// payer and their bills, which <c>GET /api/v1/payers/by-card/{uid}</c> already refuses to anyone not signed in.
/// </summary>
public sealed class TypedCardUidTests
{
    // HS240001 (Nguyễn Minh Anh), balance 2.000.000 ₫: the school's maximum, so no top-up; HS240002's card has room for one.
    private const string Card = "04A1B2C3";
    private const string Bill = "HP-2611-HS240001";
    private const string OtherBill = "BT-2611-HS240001";
    private const string TopUpCard = "04D4E5F6";
    private const string UnknownCard = "0000AAAA";

    private static Task<HttpResponseMessage> PayAsync(HttpClient client, string card, string method, string bill, string? key = null) =>
        client.PostAsJsonAsync("/api/v1/payments", new { clientRequestId = key, cardUid = card, method, bills = new[] { new { billId = bill } } });

    private static Task<HttpResponseMessage> TopUpAsync(HttpClient client, string card, string? key = null) =>
        client.PostAsJsonAsync("/api/v1/top-ups", new { clientRequestId = key, cardUid = card, amount = 100_000 });

    // Refused as not presented, and nothing in the answer about the card: no payer, no bill, no name, not whether it exists.
    private static async Task AssertNotPresentedAsync(HttpResponseMessage response, string what)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal("card_not_presented", (await response.ProblemAsync(HttpStatusCode.UnprocessableEntity, what)).Code);
        foreach (var secret in new[] { "HS24000", "HP-2611", "BT-2611", "Nguyễn", "N. M. Anh", "card_not_recognised" })
        {
            Assert.DoesNotContain(secret, body, StringComparison.Ordinal);
        }
    }

    private static async Task<JsonElement> TakenAsync(HttpResponseMessage response, HttpStatusCode status, string what)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{what}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("with no one signed in, pay (VietQR, card balance) and top up by a typed card UID that is not on the reader, known and unknown",
        "422 card_not_presented alike, before any look-up: no payer code, bill or name in the answer, nothing taken")]
    public async Task An_untapped_card_uid_from_anyone_not_signed_in_is_refused_as_not_presented_before_any_look_up()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        var anonymous = terminal.Http;

        foreach (var card in new[] { Card, UnknownCard, "04:a1:b2:c3" })
        {
            foreach (var method in new[] { "vietqr", "card_balance" })
            {
                using var paid = await PayAsync(anonymous, card, method, Bill);
                await AssertNotPresentedAsync(paid, $"{method} by {card}");
            }

            using var toppedUp = await TopUpAsync(anonymous, card);
            await AssertNotPresentedAsync(toppedUp, $"top-up by {card}");
        }

        using (var topUp = await TopUpAsync(anonymous, TopUpCard))
        {
            await AssertNotPresentedAsync(topUp, $"top-up by {TopUpCard}");
        }

        // Another card on the reader presents that card, not this one.
        await terminal.TapAsync(TopUpCard);
        using (var other = await PayAsync(anonymous, Card, "vietqr", Bill))
        {
            await AssertNotPresentedAsync(other, "vietqr by a card other than the one tapped");
        }

        // A UID that is not one is still said to be malformed (its form is no secret).
        using (var malformed = await PayAsync(anonymous, "not-a-uid", "vietqr", Bill))
        {
            Assert.Equal("invalid_request", (await malformed.ProblemAsync(HttpStatusCode.BadRequest, "a malformed UID")).Code);
        }

        var cashier = await terminal.CashierAsync();
        Assert.Empty((await cashier.GetFromJsonAsync<JsonElement[]>("/api/v1/payments"))!);
    }

    [Fact]
    public async Task The_card_on_the_reader_pays_and_tops_up_by_its_uid_once_per_tap_and_a_lost_answer_is_answered_again()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        var anonymous = terminal.Http;

        // Tapped: the UID pays, by VietQR as by the balance.
        await terminal.TapAsync(Card);
        var qr = await TakenAsync(await PayAsync(anonymous, Card, "vietqr", Bill, key: "kiosk-uid-1"), HttpStatusCode.Created, "vietqr after the tap");
        Assert.Equal(("HS240001", "vietqr", "pending"), (qr.GetProperty("payerCode").GetString(), qr.GetProperty("method").GetString(), qr.GetProperty("state").GetString()));

        // The payment used the tap up: the same UID pays nothing more without another tap.
        using (var again = await PayAsync(anonymous, Card, "vietqr", OtherBill))
        {
            await AssertNotPresentedAsync(again, "vietqr after the tap was used");
        }

        // The first request sent again under its key (its answer lost) is answered with the payment it took; the key
        // opens nothing for another card.
        var replay = await TakenAsync(await PayAsync(anonymous, Card, "vietqr", Bill, key: "kiosk-uid-1"), HttpStatusCode.OK, "the same request again");
        Assert.True(replay.GetProperty("replayed").GetBoolean());
        Assert.Equal(qr.GetProperty("id").GetString(), replay.GetProperty("id").GetString());
        using (var otherCard = await PayAsync(anonymous, TopUpCard, "vietqr", Bill, key: "kiosk-uid-1"))
        {
            await AssertNotPresentedAsync(otherCard, "the key with another card");
        }

        await terminal.TapAsync(Card);
        var paid = await TakenAsync(await PayAsync(anonymous, Card, "card_balance", OtherBill), HttpStatusCode.Created, "card_balance after a second tap");
        Assert.Equal("HS240001", paid.GetProperty("payerCode").GetString());

        // A top-up by the card on the reader, and the same again under its key.
        await terminal.TapAsync(TopUpCard);
        var topUp = await TakenAsync(await TopUpAsync(anonymous, TopUpCard, key: "kiosk-topup-uid-1"), HttpStatusCode.Created, "top-up after the tap");
        Assert.Equal(("HS240002", "top_up"), (topUp.GetProperty("payerCode").GetString(), topUp.GetProperty("purpose").GetString()));
        var topUpAgain = await TakenAsync(await TopUpAsync(anonymous, TopUpCard, key: "kiosk-topup-uid-1"), HttpStatusCode.OK, "the same top-up again");
        Assert.Equal(topUp.GetProperty("id").GetString(), topUpAgain.GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_kiosk_payment_sent_again_under_its_key_with_the_reference_its_payment_used_up_is_answered_again_not_refused()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        var anonymous = terminal.Http;

        // The kiosk pays from the balance with the tap's reference; its answer is lost, and Pay is pressed again: the
        // same key, the same reference, which the payment taken has used up.
        var reference = await terminal.TapReferenceAsync(Card);
        var paid = await TakenAsync(await PayAsync(anonymous, reference, "card_balance", OtherBill, key: "kiosk-ref-1"), HttpStatusCode.Created, "card_balance by the tap's reference");
        var replay = await TakenAsync(await PayAsync(anonymous, reference, "card_balance", OtherBill, key: "kiosk-ref-1"), HttpStatusCode.OK, "the same request again");
        Assert.True(replay.GetProperty("replayed").GetBoolean());
        Assert.Equal(paid.GetProperty("id").GetString(), replay.GetProperty("id").GetString());

        // The key answers that request only: another bill under it is a conflict, and the dead reference under another
        // key is not presented.
        using (var changed = await PayAsync(anonymous, reference, "card_balance", Bill, key: "kiosk-ref-1"))
        {
            Assert.Equal(HttpStatusCode.Conflict, changed.StatusCode);
        }

        using (var fresh = await PayAsync(anonymous, reference, "card_balance", OtherBill, key: "kiosk-ref-2"))
        {
            await AssertNotPresentedAsync(fresh, "the used reference under a new key");
        }

        var cashier = await terminal.CashierAsync();
        Assert.Single((await cashier.GetFromJsonAsync<JsonElement[]>("/api/v1/payments"))!);
    }

    [Theory]
    [Trait("Category", "Attack")]
    [Attack("with no one signed in, tap a card once and send two payments naming it (by UID, or by the tap's reference) under two keys at the same moment",
        "one payment taken, the other 422 card_not_presented: the tap is checked again and used up under the terminal's one-payment-at-a-time lock")]
    [InlineData("vietqr", false)]
    [InlineData("vietqr", true)]
    [InlineData("card_balance", false)]
    public async Task Two_anonymous_payments_sent_at_once_on_one_tap_take_one_payment_and_refuse_the_other_as_not_presented(string method, bool byReference)
    {
        var checkedRequests = new ChecksSeen(PaymentCheckedFormat, expected: 2);
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province,
            configureFirst: services => services.AddSingleton<ILoggerProvider>(checkedRequests),
            extraArgs: ["--Logging:LogLevel:KioskPos.Terminal.Services.PaymentService=Debug"]);
        var anonymous = terminal.Http;
        var reference = await terminal.TapReferenceAsync(Card);
        var card = byReference ? reference : Card;

        // The race made certain rather than likely: another writer of the terminal's file (a backup, the journal check,
        // any process with the file open) holds its write lock, so whichever request takes the payment lock first waits
        // at its commit with the tap not yet used up, and the other reaches the lock behind it. Only once both have
        // passed the card check before the lock (the payment service's debug line after it: no hook in the terminal)
        // is the file let go; then the two take their turns.
        Task<HttpResponseMessage>[] sent;
        await using (var otherWriter = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(terminal.Folder, "terminal.db")};Pooling=False"))
        {
            await otherWriter.OpenAsync();
            await using (var begin = otherWriter.CreateCommand())
            {
                begin.CommandText = "BEGIN IMMEDIATE";
                await begin.ExecuteNonQueryAsync();
            }

            sent = [PayAsync(anonymous, card, method, OtherBill, key: "at-once-1"), PayAsync(anonymous, card, method, OtherBill, key: "at-once-2")];
            await checkedRequests.AllAsync(TimeSpan.FromSeconds(20));
            await using var rollback = otherWriter.CreateCommand();
            rollback.CommandText = "ROLLBACK";
            await rollback.ExecuteNonQueryAsync();
        }

        var answers = await Task.WhenAll(sent);
        try
        {
            Assert.Equal([201, 422], answers.Select(a => (int)a.StatusCode).Order());
            await AssertNotPresentedAsync(answers.Single(a => a.StatusCode != HttpStatusCode.Created), $"the second {method} on the same tap");
            var cashier = await terminal.CashierAsync();
            Assert.Single((await cashier.GetFromJsonAsync<JsonElement[]>("/api/v1/payments"))!);
        }
        finally
        {
            foreach (var answer in answers)
            {
                answer.Dispose();
            }
        }
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("with no one signed in, tap a card, pay from its balance by its UID and, while the payment waits for the province's authorisation, top it up by the same UID",
        "the payment taken, the top-up 422 card_not_presented: the payment used the tap up while the top-up waited for the payment lock")]
    public async Task A_top_up_whose_tap_a_payment_used_up_while_it_waited_for_the_payment_lock_is_refused_as_not_presented()
    {
        var checkedTopUps = new ChecksSeen(TopUpCheckedFormat, expected: 1);
        var authorisation = new AuthorisationGate();
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province,
            configureFirst: services =>
            {
                services.AddSingleton<ILoggerProvider>(checkedTopUps);
                services.ConfigureHttpClientDefaults(client => client.AddHttpMessageHandler(() => new HeldAuthorisations(authorisation)));
            },
            extraArgs: ["--Logging:LogLevel:KioskPos.Terminal.Services.PaymentService=Debug"]);
        var anonymous = terminal.Http;
        await terminal.TapAsync(TopUpCard);

        // The card payment asks the province for its authorisation under the payment lock, before it commits and uses
        // the tap up: held there (a slow province), it holds the lock with the tap still live. The top-up sent then
        // passes the card check before the lock; the province's answer is let through once it has.
        authorisation.Hold = true;
        var payment = anonymous.PostAsJsonAsync("/api/v1/payments", new { clientRequestId = "balance-1", cardUid = TopUpCard, method = "card_balance", bills = new[] { new { billId = "BT-2611-HS240002", amount = 10_000 } } });
        await authorisation.ArrivedAsync(TimeSpan.FromSeconds(20));
        var topUp = TopUpAsync(anonymous, TopUpCard, key: "top-up-1");
        await checkedTopUps.AllAsync(TimeSpan.FromSeconds(20));
        authorisation.Release();

        using (var paid = await payment)
        {
            await TakenAsync(paid, HttpStatusCode.Created, "card_balance by the card on the reader");
        }

        using (var toppedUp = await topUp)
        {
            await AssertNotPresentedAsync(toppedUp, "the top-up whose tap the payment used up");
        }

        var cashier = await terminal.CashierAsync();
        Assert.Single((await cashier.GetFromJsonAsync<JsonElement[]>("/api/v1/payments"))!);
    }

    // The payment service's debug lines written just after a request's card check, before the payment lock.
    private const string PaymentCheckedFormat = "Payment request for {Payer} with card {Card}";
    private const string TopUpCheckedFormat = "Top-up request for {Payer} with card {Card}";

    // Counts the requests that have passed the card check before the payment lock, by the payment service's debug line
    // written just after it, so that a test lets a racer past it before the tap can be used up.
    private sealed class ChecksSeen(string format, int expected) : ILoggerProvider, ILogger
    {
        private const string Category = "KioskPos.Terminal.Services.PaymentService";
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _seen;

        public ILogger CreateLogger(string categoryName) => categoryName == Category ? this : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (state is IReadOnlyList<KeyValuePair<string, object?>> values && values.Any(v => v.Key == "{OriginalFormat}" && Equals(v.Value, format))
                && Interlocked.Increment(ref _seen) == expected)
            {
                _all.TrySetResult();
            }
        }

        public async Task AllAsync(TimeSpan timeout)
        {
            var finished = await Task.WhenAny(_all.Task, Task.Delay(timeout));
            Assert.True(finished == _all.Task, $"{Volatile.Read(ref _seen)} of {expected} requests passed the card check within {timeout.TotalSeconds:0} s");
        }

        public void Dispose()
        {
        }
    }

    // The terminal's card authorisations held on their way to the province while Hold is set, until released.
    private sealed class AuthorisationGate
    {
        private readonly TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public volatile bool Hold;

        public async Task HoldAsync(CancellationToken cancellationToken)
        {
            _arrived.TrySetResult();
            await _released.Task.WaitAsync(cancellationToken);
        }

        public async Task ArrivedAsync(TimeSpan timeout)
        {
            var finished = await Task.WhenAny(_arrived.Task, Task.Delay(timeout));
            Assert.True(finished == _arrived.Task, $"no card authorisation reached the province within {timeout.TotalSeconds:0} s");
        }

        public void Release() => _released.TrySetResult();
    }

    private sealed class HeldAuthorisations(AuthorisationGate gate) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (gate.Hold && request.RequestUri?.AbsolutePath == KioskPos.Shared.Contracts.SyncProtocol.AuthorisePath)
            {
                await gate.HoldAsync(cancellationToken);
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }

    [Fact]
    public async Task A_signed_in_cashier_types_a_card_uid_with_no_tap_and_is_told_whether_the_card_is_known()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        var cashier = await terminal.CashierAsync();

        var qr = await TakenAsync(await PayAsync(cashier, Card, "vietqr", Bill), HttpStatusCode.Created, "the cashier's vietqr by UID");
        Assert.Equal(("HS240001", "tn01"), (qr.GetProperty("payerCode").GetString(), qr.GetProperty("operator").GetString()));
        var topUp = await TakenAsync(await TopUpAsync(cashier, TopUpCard), HttpStatusCode.Created, "the cashier's top-up by UID");
        Assert.Equal("HS240002", topUp.GetProperty("payerCode").GetString());

        using var unknown = await PayAsync(cashier, UnknownCard, "vietqr", Bill);
        Assert.Equal("card_not_recognised", (await unknown.ProblemAsync(HttpStatusCode.NotFound, "the cashier's unknown card")).Code);

        // A card-balance payment still needs the card itself on the reader, at the counter too.
        using var balance = await PayAsync(cashier, Card, "card_balance", OtherBill);
        Assert.Equal("card_not_presented", (await balance.ProblemAsync(HttpStatusCode.UnprocessableEntity, "the cashier's card_balance without a tap")).Code);
    }
}
