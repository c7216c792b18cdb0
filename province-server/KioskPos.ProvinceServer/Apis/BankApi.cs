using System.Text;
using KioskPos.Core.VietQr;
using KioskPos.Shared.Contracts;
using KioskPos.ProvinceServer.Banking;
using KioskPos.ProvinceServer.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>
/// The bank-notification webhooks, each authenticated before it is read: the connection (from the path, or the
/// generic format's header), then the provider's own headers (SePay's API key or signature and timestamp, Casso's
/// signature and timestamp or secure token, the generic HMAC's), then the declared size; the body is read only up
/// to a small bound, verified the provider's way (payOS signs inside the body, so its body is read first), and only
/// then is the delivery logged and each transaction recorded once per provider transaction id and matched by the one
/// engine (<see cref="TransferMatching"/>). A refused delivery is counted in a bounded summary, never stored with its
/// body. Each provider is answered the way it expects, so that it stops retrying; a provider's documented test delivery
/// (payOS's webhook confirmation, Casso's test call) is answered so too and records no transfer.
/// </summary>
internal static class BankApi
{
    /// <summary>Where each provider posts: <c>/api/v1/bank/{provider}/{connectionId}</c>.</summary>
    public const string ProviderWebhookPath = "/api/v1/bank/{provider}/{connectionId}";

    private static readonly Dictionary<string, IBankWebhook> s_webhooks = new IBankWebhook[] { new SepayWebhook(), new PayosWebhook(), new CassoWebhook(), new GenericWebhook() }
        .ToDictionary(w => w.Provider, StringComparer.Ordinal);

    public static IEndpointRouteBuilder MapBankApi(this IEndpointRouteBuilder app)
    {
        app.MapPost(SyncProtocol.BankNotificationsPath, ReceiveNotificationAsync).WithAccess(EndpointAccess.BankSignature).WithTags("Bank").WithSummary("The bank's notification of a transfer (HMAC-signed, generic format)")
            .AcceptsJson<BankNotification>().Produces<BankNotificationResult>()
            .RequireRateLimiting(IntakeRateLimits.WebhookPolicy)
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status429TooManyRequests);
        app.MapPost(ProviderWebhookPath, ReceiveProviderAsync).WithAccess(EndpointAccess.BankSignature).WithTags("Bank")
            .WithSummary("A provider's webhook (sepay, payos, casso, generic), verified the provider's way")
            .RequireRateLimiting(IntakeRateLimits.WebhookPolicy)
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status429TooManyRequests);

        var admin = app.MapGroup("/api/v1/admin/bank/connections").RequireProvinceRoles(ProvinceRoles.Admin).WithTags("Bank");
        admin.MapGet("/", GetConnectionsAsync).WithSummary("Bank connections (secrets never shown)");
        admin.MapGet("/{id}", GetConnectionAsync).WithSummary("A bank connection (secrets never shown)").ProducesProblems(StatusCodes.Status404NotFound);
        admin.MapPut("/{id}", PutConnectionAsync).WithSummary("Create or change a bank connection").AcceptsJson<BankConnectionRequest>()
            .ProducesProblems(StatusCodes.Status400BadRequest);
        admin.MapDelete("/{id}", DeleteConnectionAsync).WithSummary("Remove a bank connection (its transfers stay)").ProducesProblems(StatusCodes.Status404NotFound);
        // An institution's accountant may import the statement of a connection of their own institution, list its gaps
        // and settle its held lines (the handlers answer 404 for any other, as for one that does not exist); everything
        // else here is the administrator's.
        app.MapPost("/api/v1/admin/bank/connections/{id}/statement", StatementImport.HandleAsync).RequireProvinceRoles(ProvinceRoles.Admin, ProvinceRoles.Accountant).WithTags("Bank")
            .WithSummary("Import the account's statement as the bank exports it (.xlsx or CSV; ?layout=vietcombank|vietinbank|…, found from the header when left out)")
            .Produces<StatementImportResult>().ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType)
            // Its 400s are problems; invalid_statement's adds each broken line (errors, errorsLeftOut), the others leave them out.
            .Produces<StatementRefusal>(StatusCodes.Status400BadRequest, ProvinceProblems.ContentType);
        app.MapGet("/api/v1/admin/bank/statement-connections", StatementImport.ChoicesAsync).RequireProvinceRoles(ProvinceRoles.Admin, ProvinceRoles.Accountant).WithTags("Bank")
            .WithSummary("The connections whose statement the caller may import (an accountant: their institution's), as id, provider, institution and account only; and the layouts")
            .ProducesProblems(StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden);
        app.MapGet("/api/v1/admin/bank/connections/{id}/statement/gaps", StatementImport.GapsAsync).RequireProvinceRoles(ProvinceRoles.Admin, ProvinceRoles.Accountant).WithTags("Bank")
            .WithSummary("Statement lines that no webhook or pull reported, and lines held as possible duplicates of a stored line (with heldId, and a person's decision)")
            .ProducesProblems(StatusCodes.Status404NotFound);
        app.MapPost("/api/v1/admin/bank/connections/{id}/statement/held/{heldId}/credit", StatementHeldLines.CreditHeldLineAsync)
            .RequireProvinceRoles(ProvinceRoles.Admin, ProvinceRoles.Accountant).WithTags("Bank")
            .WithSummary("Credit a held statement line, a second transfer after all: matched as an imported line, once, with the reason required")
            .AcceptsJson<HeldLineRequest>().Produces<HeldLineDecision>()
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
        app.MapPost("/api/v1/admin/bank/connections/{id}/statement/held/{heldId}/dismiss", StatementHeldLines.DismissHeldLineAsync)
            .RequireProvinceRoles(ProvinceRoles.Admin, ProvinceRoles.Accountant).WithTags("Bank")
            .WithSummary("Dismiss a held statement line, the same transfer as the stored line: nothing credited, with the reason required")
            .AcceptsJson<HeldLineRequest>().Produces<HeldLineDecision>()
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
        return app;
    }

    /// <summary>The refused-delivery summary, newest minute first (mapped under the admin API).</summary>
    public static async Task<JsonOk<IReadOnlyList<RefusedDeliveryRow>>> GetRefusalsAsync(RefusedDeliveries refusals, int? limit, CancellationToken ct) =>
        JsonOk.Of(await refusals.ListAsync(limit ?? 100, ct).ConfigureAwait(false), ProvinceJsonContext.Default.IReadOnlyListRefusedDeliveryRow);

    private static Task<IResult> ReceiveNotificationAsync(HttpContext http, BankLedger ledger, BankConnections connections, RefusedDeliveries refusals,
        IOptions<IntakeOptions> intake, TimeProvider time, ILoggerFactory loggers) =>
        ReceiveAsync(http, BankProviders.Generic, http.Request.Headers[BankSignature.ConnectionHeader].ToString(), ledger, connections, refusals, intake, time, loggers);

    private static Task<IResult> ReceiveProviderAsync(HttpContext http, string provider, string connectionId, BankLedger ledger, BankConnections connections,
        RefusedDeliveries refusals, IOptions<IntakeOptions> intake, TimeProvider time, ILoggerFactory loggers) =>
        ReceiveAsync(http, provider, connectionId, ledger, connections, refusals, intake, time, loggers);

    private static async Task<IResult> ReceiveAsync(HttpContext http, string provider, string connectionId, BankLedger ledger, BankConnections connections,
        RefusedDeliveries refusals, IOptions<IntakeOptions> intake, TimeProvider time, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("KioskPos.ProvinceServer.Bank");
        var ct = http.RequestAborted;
        var max = intake.Value.WebhookMaxBytes;
        BoundedBody.Limit(http, max);

        // Before a byte of the body: which connection, the provider's own credentials, and how much.
        var connection = connectionId.Length is > 0 and <= 100 ? await connections.FindAsync(connectionId, ct).ConfigureAwait(false) : null;
        var webhook = s_webhooks.GetValueOrDefault(provider);
        var refusal = connection is null || webhook is null || connection.Provider != provider
            ? new BankRefusal(StatusCodes.Status401Unauthorized, "unknown_connection", "No such connection is configured for this provider.")
            : webhook.CheckHeaders(http.Request.Headers, connection, time.GetUtcNow());
        if (refusal is null && http.Request.ContentLength > max)
        {
            refusal = TooLarge(max);
        }

        byte[]? body = null;
        ProviderRead? read = null;
        if (refusal is null)
        {
            var bounded = await BoundedBody.ReadAsync(http.Request, max, ct).ConfigureAwait(false);
            body = bounded.Bytes;
            if (bounded.TooLarge)
            {
                refusal = TooLarge(max);
            }
            else
            {
                read = webhook!.ReadUtf8(body!, http.Request.Headers, connection!);
                refusal = read.Refusal;
            }
        }

        if (refusal is not null)
        {
            refusals.Record(refusal.Reason ?? refusal.Code, connectionId, http.Connection.RemoteIpAddress, http.Request.ContentLength ?? body?.Length);
            logger.LogDebug("Bank notification refused ({Provider}, {Code})", provider, refusal.Code);
            if (body is null)
            {
                BoundedBody.CloseAfterAnswer(http); // the rest of the body is not read
            }

            return ProvinceProblems.Problem(refusal.Status, refusal.Code, refusal.Detail, refusal.Key);
        }

        var deliveryId = await ledger.LogDeliveryAsync(connectionId, Encoding.UTF8.GetString(body!), ct).ConfigureAwait(false);
        var results = new List<TransferResult>(read!.Transfers.Count);
        foreach (var delivered in read.Transfers)
        {
            var transfer = delivered;
            if (transfer.Outgoing)
            {
                results.Add(new TransferResult(transfer.TransactionId, "ignored", "outgoing", null));
                continue;
            }

            if (transfer.Test)
            {
                // The provider's documented sample, posted when the URL is set up: answered as a real one is, so the
                // set-up succeeds, and never recorded: it is no money, and would show as a refund due and an alert.
                results.Add(new TransferResult(transfer.TransactionId, "ignored", "test", null));
                logger.LogInformation("Bank test delivery {Provider} {Connection} acknowledged, not recorded", provider, connectionId);
                continue;
            }

            var payos = transfer.OrderCode is null ? null : http.RequestServices.GetRequiredService<PayosRequests>();
            if (payos is not null)
            {
                transfer = await payos.WithTransferCodeAsync(connectionId, transfer, ct).ConfigureAwait(false);
            }

            var (account, unknownAccount) = await ReceivingAccounts.ResolveAsync(transfer, connection!, ledger, ct).ConfigureAwait(false);
            var notification = new BankNotification(transfer.TransactionId, account, transfer.Amount, transfer.Description, transfer.BookedAt, transfer.BankBin);
            var result = await ledger.RecordAsync(connectionId, notification, deliveryId, TransferSources.Webhook, unknownAccount, ct).ConfigureAwait(false);
            if (payos is not null && transfer.OrderCode is { } orderCode)
            {
                // Paid only once what arrived covers the request: a short transfer leaves it open for the status pull.
                await payos.CloseIfCoveredAsync(connectionId, orderCode, ct).ConfigureAwait(false);
            }

            results.Add(new TransferResult(transfer.TransactionId, result.Status, result.Outcome, result.PaymentId));
            logger.LogInformation("Bank transfer {Provider} {Transaction} of {Amount} VND: {Status} {Outcome} {Payment}",
                provider, transfer.TransactionId, transfer.Amount, result.Status, result.Outcome, result.PaymentId);
        }

        if (results.Count == 0)
        {
            results.Add(new TransferResult(string.Empty, "ignored", "no_transaction", null));
        }

        if (results.All(r => r.Status == "ignored"))
        {
            await ledger.NoteDeliveryAsync(deliveryId, string.Join("; ", results.Select(r => $"ignored {r.Outcome}").Distinct()), ct).ConfigureAwait(false);
        }

        if (!connection!.FromSettings)
        {
            await connections.TouchWebhookAsync(connection.Id, ct).ConfigureAwait(false);
        }

        return webhook!.Answer(results);
    }

    private static BankRefusal TooLarge(int max) =>
        new(StatusCodes.Status413PayloadTooLarge, "too_large", $"At most {max} bytes.", "too_large.notification");

    private static async Task<JsonOk<IReadOnlyList<BankConnectionView>>> GetConnectionsAsync(BankConnections connections, CancellationToken ct)
    {
        var views = new List<BankConnectionView>();
        foreach (var connection in await connections.AllAsync(ct).ConfigureAwait(false))
        {
            views.Add(connection.View(connection.FromSettings ? null : await connections.ActivityAsync(connection.Id, ct).ConfigureAwait(false)));
        }

        return JsonOk.Of<IReadOnlyList<BankConnectionView>>(views, ProvinceJsonContext.Default.IReadOnlyListBankConnectionView);
    }

    private static async Task<Results<JsonOk<BankConnectionView>, ProblemResult>> GetConnectionAsync(string id, BankConnections connections, CancellationToken ct) =>
        await connections.FindAsync(id, ct).ConfigureAwait(false) is { } connection
            ? JsonOk.Of(connection.View(connection.FromSettings ? null : await connections.ActivityAsync(id, ct).ConfigureAwait(false)), ProvinceJsonContext.Default.BankConnectionView)
            : ProvinceProblems.Problem(StatusCodes.Status404NotFound, "unknown_connection", $"No connection '{id}'.");

    private static async Task<Results<JsonOk<BankConnectionView>, ProblemResult>> PutConnectionAsync(string id, HttpContext http, BankConnections connections)
    {
        var ct = http.RequestAborted;
        var (request, error) = await JsonBody.TryReadAsync(http.Request.Body, ProvinceJsonContext.Default.BankConnectionRequest, ct).ConfigureAwait(false);
        var existing = await connections.FindAsync(id, ct).ConfigureAwait(false);
        var problem = request is null ? error ?? "empty body" : ConnectionProblem(id, request, existing);
        if (problem is not null)
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_connection", problem);
        }

        var connection = await connections.PutAsync(id, request!, ct).ConfigureAwait(false);
        return JsonOk.Of(connection.View(await connections.ActivityAsync(id, ct).ConfigureAwait(false)), ProvinceJsonContext.Default.BankConnectionView);
    }

    private static async Task<Results<NoContent, ProblemResult>> DeleteConnectionAsync(string id, BankConnections connections, CancellationToken ct) =>
        await connections.DeleteAsync(id, ct).ConfigureAwait(false)
            ? TypedResults.NoContent()
            : ProvinceProblems.Problem(StatusCodes.Status404NotFound, "unknown_connection", $"No stored connection '{id}'.");

    // Each field by name; a secret may be left out only when one is stored already.
    private static string? ConnectionProblem(string id, BankConnectionRequest request, BankConnection? existing)
    {
        static bool Bad(string? value, int max) => value is not null && (value.Length > max || value.Any(char.IsControl));
        return request switch
        {
            _ when id.Length is 0 or > 100 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') => "id: 1-100 letters, digits, '-', '_' or '.'",
            { Provider: null } => "provider is required: sepay, payos, casso or generic",
            _ when !BankProviders.All.Contains(request.Provider) => "provider must be sepay, payos, casso or generic",
            { AccountNumber: null or { Length: 0 } } => "accountNumber is required: the account this connection receives on",
            _ when Bad(request.AccountNumber, 19) || !request.AccountNumber.All(char.IsAsciiLetterOrDigit) => "accountNumber: at most 19 letters or digits",
            _ when string.IsNullOrWhiteSpace(request.Secret) && (existing is null || existing.FromSettings) => "secret is required (the webhook key, or payOS's checksum key)",
            _ when request.Secret is { Length: > 0 and < 16 } => "secret: at least 16 characters",
            _ when Bad(request.Secret, 200) || Bad(request.ApiKey, 500) => "secret and apiKey: at most 200 and 500 characters, no control characters",
            _ when Bad(request.InstitutionId, 100) || Bad(request.ClientId, 200) => "institutionId and clientId: at most 100 and 200 characters",
            _ when request.ApiBaseUrl is { Length: > 0 } url && !KioskPos.Core.Text.WebAddress.IsValid(url) => "apiBaseUrl must be an absolute http(s) address without credentials or query",
            _ => null,
        };
    }

    /// <summary>The most characters of a receiving account's bank name (shown beside the QR).</summary>
    private const int MaxBankName = 100;

    /// <summary>VietQR's limit of the account or card number (field 38/01/01), as the builder enforces it.</summary>
    private const int MaxAccountNumber = 19;

    /// <summary>VietQR's limit of the merchant name (field 59) once folded to ASCII, as the builder enforces it.</summary>
    private const int MaxAccountName = 25;

    /// <summary>
    /// Checks a receiving account before it goes into every QR of an institution: the first problem, naming the
    /// request's field (<c>bankBin</c>, <c>accountNumber</c>, <c>accountName</c>, <c>bankName</c>) and quoting at most the
    /// start of a refused value, or null. The rules are VietQR's (<see cref="VietQrBuilder"/>): a 6-digit BIN, an
    /// account or card number of up to 19 letters or digits, a name of up to 25 characters once written without accents;
    /// and NAPAS's: the BIN of a member (<see cref="NapasBanks"/>; another only with <c>unlistedBin</c>), the bank name
    /// that BIN's bank (a QR with a wrong BIN is refused by payers' apps or sends the money to another bank).
    /// </summary>
    public static string? ValidateAccount(ReceivingAccountRequest request)
    {
        if (request.BankBin is not { Length: 6 } bin || !bin.All(char.IsAsciiDigit))
        {
            return $"bankBin: the bank's BIN, 6 digits (e.g. 970436), not '{TextChecks.Excerpt(request.BankBin)}'";
        }

        var bank = NapasBanks.Find(bin);
        if (bank is null && !request.UnlistedBin)
        {
            return $"bankBin: {bin} is not a NAPAS 247 member's BIN (e.g. 970436 Vietcombank); set unlistedBin to true for a bank NAPAS added since";
        }

        if (request.AccountNumber is not { Length: > 0 and <= MaxAccountNumber } number || !number.All(char.IsAsciiLetterOrDigit))
        {
            return $"accountNumber: 1 to {MaxAccountNumber} letters or digits, not '{TextChecks.Excerpt(request.AccountNumber)}'";
        }

        var folded = AsciiText.Fold(request.AccountName ?? string.Empty);
        if (folded.Length is 0 or > MaxAccountName)
        {
            return $"accountName: the account holder's name as the bank has it, 1 to {MaxAccountName} characters once written without accents (here {folded.Length})";
        }

        if (request.BankName is { } bankName && (bankName.Length > MaxBankName || !KioskPos.Core.Text.PlainText.IsOneLine(bankName)))
        {
            return $"bankName: at most {MaxBankName} characters, without control or direction-changing characters";
        }

        if (bank is not null && request.BankName is { } named && !NapasBanks.Names(bank, named))
        {
            return $"bankName: BIN {bank.Bin} is {bank.ShortName} ({bank.Name}), not '{TextChecks.Excerpt(named)}'";
        }

        if (bank is null && string.IsNullOrWhiteSpace(request.BankName))
        {
            return "bankName is required for a BIN not in the NAPAS list";
        }

        try
        {
            VietQrBuilder.Build(new VietQrPayload(false, request.BankBin, request.AccountNumber, MerchantName: request.AccountName));
            return null;
        }
        catch (VietQrFormatException e)
        {
            // Not reached with the checks above; named by the request's field all the same, never with the value.
            var field = e.Error.Field switch
            {
                "38/01/00" => "bankBin",
                "38/01/01" => "accountNumber",
                "59" => "accountName",
                _ => "body",
            };
            return $"{field}: not valid in a VietQR ({e.Error.Code})";
        }
    }
}
