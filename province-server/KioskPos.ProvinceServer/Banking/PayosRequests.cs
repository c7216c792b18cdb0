using System.Globalization;
using KioskPos.Core.Money;
using KioskPos.Core.VietQr;
using KioskPos.ProvinceServer.Data;
using KioskPos.Shared.Contracts;

namespace KioskPos.ProvinceServer.Banking;

/// <summary>
/// payOS payment requests for terminals' VietQR payments. When a terminal offers a VietQR payment and its
/// institution's connection is payOS (with a client id, API key and address), a payOS request is created for the
/// amount with the payment's transfer code as its description, and payOS's QR goes back to the terminal. The order
/// code is the transfer code's terminal tag and sequence (<see cref="OrderCodeOf"/>), so a payment has one request
/// and a retried call finds the one stored. A payOS transaction naming that order code (webhook or status pull) is
/// read with the request's transfer code added to its text (<see cref="WithTransferCodeAsync"/>), so the one
/// engine matches it to that payment even where payOS wrote its own words into the transfer, and the ledger records
/// it once by the bank's reference.
/// </summary>
internal sealed class PayosRequests(ProvinceDatabase database, BankConnections connections, IHttpClientFactory clients, TimeProvider time, ILogger<PayosRequests> logger)
{
    /// <summary>How long the terminal's call may wait on payOS before the terminal shows its own QR.</summary>
    public static readonly TimeSpan CreateTimeout = TimeSpan.FromSeconds(4);

    /// <summary>The order code of the payment with <paramref name="code"/>: unique per payment, below 2^45 (payOS takes up to 2^53 - 1).</summary>
    public static long OrderCodeOf(TransferCode code) => ((long)code.TerminalTag << 30) | code.Sequence;

    /// <summary>Why <paramref name="request"/> from <paramref name="terminal"/> cannot be asked for, naming the field; or null.</summary>
    public static string? Problem(TerminalRecord terminal, PaymentRequestDto request) => request switch
    {
        { PaymentId: null or { Length: 0 or > 100 } } => "paymentId: 1-100 characters",
        _ when request.PaymentId.Any(char.IsControl) => "paymentId: no control characters",
        { Amount: <= 0 or > Vnd.MaxAmount } => $"amount must be a whole number of đồng from 1 to {Vnd.MaxAmount}",
        _ => !TransferCode.TryParse(request.TransferCode, out var code) ? "transferCode is not a transfer code"
            : code.Value.TerminalTag != terminal.QrTag ? "transferCode names another terminal"
            : null,
    };

    /// <summary>
    /// The payment service whose QR terminals of <paramref name="institutionId"/> ask for (<c>payos</c>: a payOS
    /// connection with its API key and client id), or null; told with each pull, so a terminal of an institution
    /// without one never makes the round trip.
    /// </summary>
    public async Task<string?> ServiceOfAsync(string institutionId, CancellationToken cancellationToken) =>
        await ConnectionOfAsync(institutionId, cancellationToken).ConfigureAwait(false) is null ? null : BankProviders.Payos;

    private async Task<BankConnection?> ConnectionOfAsync(string institutionId, CancellationToken cancellationToken) =>
        (await connections.AllAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(c =>
            c.Provider == BankProviders.Payos && c.InstitutionId == institutionId && !string.IsNullOrEmpty(c.ApiKey) && !string.IsNullOrEmpty(c.ClientId) && !string.IsNullOrEmpty(c.ApiBaseUrl));

    /// <summary>Creates (or finds) the payOS request of a terminal's VietQR payment; an answer without a QR tells the terminal to show its own.</summary>
    public async Task<PaymentRequestAnswer> RequestAsync(TerminalRecord terminal, PaymentRequestDto request, string returnUrl, CancellationToken cancellationToken)
    {
        var connection = await ConnectionOfAsync(terminal.InstitutionId, cancellationToken).ConfigureAwait(false);
        if (connection is null)
        {
            return new PaymentRequestAnswer(null, null, null, null, null, "no_provider");
        }

        TransferCode.TryParse(request.TransferCode, out var parsed);
        var code = parsed!.Value;
        var orderCode = OrderCodeOf(code);
        await using (var db = await database.OpenAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await db.ReadFirstAsync<RequestRow>("SELECT * FROM payos_requests WHERE order_code = $o", null, cancellationToken, ("$o", orderCode)).ConfigureAwait(false) is { } stored)
            {
                return stored.PaymentId == request.PaymentId && stored.Amount == request.Amount
                    ? new PaymentRequestAnswer(BankProviders.Payos, stored.QrCode, stored.CheckoutUrl, stored.PaymentLinkId, orderCode, null)
                    : new PaymentRequestAnswer(null, null, null, null, null, "provider_failed"); // the code was requested for another payment: never two requests for one code
            }
        }

        PayosCreated created;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(CreateTimeout);
            created = await PayosApi.CreateAsync(clients.CreateClient("bank-pull"), connection, orderCode, request.Amount, code.Value, returnUrl, returnUrl, request.ExpiresAt, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PayosException or HttpRequestException or System.Text.Json.JsonException || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("payOS request for {Payment} on {Connection} failed, the terminal shows its own QR: {Error}", request.PaymentId, connection.ToString(), e.Message);
            return new PaymentRequestAnswer(null, null, null, null, null, "provider_failed");
        }

        var now = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        await using (var db = await database.OpenAsync(cancellationToken).ConfigureAwait(false))
        {
            await db.ExecuteAsync(
                """
                INSERT INTO payos_requests (order_code, connection_id, terminal_id, payment_id, transfer_code, amount, payment_link_id, checkout_url, qr_code, state, expires_at, created_at)
                VALUES ($o, $c, $t, $p, $code, $a, $l, $u, $q, 'open', $x, $now) ON CONFLICT (order_code) DO NOTHING
                """,
                null, cancellationToken, ("$o", orderCode), ("$c", connection.Id), ("$t", terminal.Id), ("$p", request.PaymentId), ("$code", code.Value), ("$a", request.Amount),
                ("$l", created.PaymentLinkId), ("$u", created.CheckoutUrl), ("$q", created.QrCode), ("$x", request.ExpiresAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)),
                ("$now", now)).ConfigureAwait(false);
        }

        logger.LogInformation("payOS request {OrderCode} ({Link}) for payment {Payment} of {Amount} VND", orderCode, created.PaymentLinkId, request.PaymentId, request.Amount);
        return new PaymentRequestAnswer(BankProviders.Payos, created.QrCode, created.CheckoutUrl, created.PaymentLinkId, orderCode, null);
    }

    /// <summary>
    /// <paramref name="transfer"/> with the transfer code of the request it paid added to its text, when it names a
    /// request of <paramref name="connectionId"/>; unchanged otherwise. The request's state is not touched: a transfer
    /// may pay part of it (<see cref="CloseIfCoveredAsync"/> decides once the transfer is recorded).
    /// </summary>
    public async Task<IncomingTransfer> WithTransferCodeAsync(string connectionId, IncomingTransfer transfer, CancellationToken cancellationToken)
    {
        if (transfer.OrderCode is not { } orderCode)
        {
            return transfer;
        }

        await using var db = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var code = await db.ScalarAsync("SELECT transfer_code FROM payos_requests WHERE order_code = $o AND connection_id = $c", null, cancellationToken,
            ("$o", orderCode), ("$c", connectionId)).ConfigureAwait(false) as string;
        if (code is null)
        {
            return transfer;
        }

        return transfer.Description.Contains(code, StringComparison.OrdinalIgnoreCase) ? transfer : transfer with { Description = $"{code} {transfer.Description}".TrimEnd() };
    }

    /// <summary>
    /// Closes request <paramref name="orderCode"/> of <paramref name="connectionId"/> as paid once its payment has
    /// received at least the request's amount; returns whether it did. payOS posts one webhook per transaction, its
    /// <c>data.amount</c> what that transaction brought (payos.vn/docs/du-lieu-tra-ve/webhook), so a short one pays
    /// part of the request: the matching engine books it as underpaid, as any provider's short transfer, and the request
    /// stays open, so the status pull still asks for it and finds the rest if that webhook is lost. Called after the
    /// ledger recorded the transfer; a payment the province does not hold yet (the transfer held for the terminal's
    /// entry) leaves the request open, for payOS's own status to close.
    /// </summary>
    public async Task<bool> CloseIfCoveredAsync(string connectionId, long orderCode, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await db.ExecuteAsync(
            """
            UPDATE payos_requests SET state = 'paid'
            WHERE order_code = $o AND connection_id = $c AND state = 'open'
              AND amount <= (SELECT p.received FROM payments p WHERE p.transfer_code = payos_requests.transfer_code)
            """,
            null, cancellationToken, ("$o", orderCode), ("$c", connectionId)).ConfigureAwait(false) > 0;
    }

    /// <summary>
    /// The status pull of <paramref name="connection"/>: each request still open (newest first, at most
    /// <see cref="MaxPerPull"/>, one call per <see cref="Gap"/>) is asked for; the transactions of a paid or
    /// partly paid one go to <paramref name="record"/> (the ledger records each once), and those payOS wrote in a way
    /// this server does not read come back refused with their reasons, never recorded. A request past its expiry by a
    /// day and still unpaid is closed.
    /// </summary>
    public async Task<(int Added, IReadOnlyList<string> Refused)> PullAsync(BankConnection connection, Func<IncomingTransfer, Task<bool>> record, CancellationToken cancellationToken)
    {
        List<RequestRow> open;
        await using (var db = await database.OpenAsync(cancellationToken).ConfigureAwait(false))
        {
            open = await db.ReadAllAsync<RequestRow>("SELECT * FROM payos_requests WHERE connection_id = $c AND state = 'open' ORDER BY created_at DESC LIMIT $n", null, cancellationToken,
                ("$c", connection.Id), ("$n", MaxPerPull)).ConfigureAwait(false);
        }

        var http = clients.CreateClient("bank-pull");
        var added = 0;
        var refused = new List<string>();
        foreach (var request in open)
        {
            var status = await PayosApi.GetAsync(http, connection, request.OrderCode, cancellationToken).ConfigureAwait(false);
            refused.AddRange(status.Refused);
            foreach (var transfer in status.Transactions)
            {
                if (await record(await WithTransferCodeAsync(connection.Id, transfer, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false))
                {
                    added++;
                }
            }

            var now = time.GetUtcNow();
            var state = status.Status switch
            {
                "PAID" => "paid",
                "CANCELLED" => "cancelled",
                "EXPIRED" or "FAILED" => "expired",
                _ when DateTimeOffset.Parse(request.ExpiresAt, CultureInfo.InvariantCulture) < now.AddDays(-1) => "expired",
                _ => "open",
            };
            await using (var db = await database.OpenAsync(cancellationToken).ConfigureAwait(false))
            {
                await db.ExecuteAsync("UPDATE payos_requests SET state = CASE WHEN state = 'open' THEN $s ELSE state END, checked_at = $t WHERE order_code = $o", null, cancellationToken,
                    ("$s", state), ("$t", now.ToString("O", CultureInfo.InvariantCulture)), ("$o", request.OrderCode)).ConfigureAwait(false);
            }

            await Task.Delay(Gap, time, cancellationToken).ConfigureAwait(false);
        }

        return (added, refused);
    }

    /// <summary>The most open requests one pull asks about.</summary>
    public const int MaxPerPull = 100;

    /// <summary>The pause between two status calls (payOS documents no rate; this keeps a pull of 100 under a minute).</summary>
    public static readonly TimeSpan Gap = TimeSpan.FromMilliseconds(250);

    private sealed record RequestRow
    {
        public long OrderCode { get; init; }

        public required string ConnectionId { get; init; }

        public required string TerminalId { get; init; }

        public required string PaymentId { get; init; }

        public required string TransferCode { get; init; }

        public long Amount { get; init; }

        public required string PaymentLinkId { get; init; }

        public required string CheckoutUrl { get; init; }

        public required string QrCode { get; init; }

        public required string State { get; init; }

        public required string ExpiresAt { get; init; }

        public required string CreatedAt { get; init; }

        public string? CheckedAt { get; init; }
    }
}
