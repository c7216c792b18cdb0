using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using KioskPos.Core.Domain;
using KioskPos.Core.Money;
using KioskPos.Shared.Contracts;
using Microsoft.Extensions.Options;

namespace KioskPos.ProvinceServer.Data;

/// <summary>A terminal as the server knows it.</summary>
internal sealed record TerminalRecord(string Id, string InstitutionId, string Name, bool Revoked, long AckedThrough, DateTimeOffset? LastSeenAt, int QrTag);

/// <summary>A push that must be refused as a whole, before anything is stored.</summary>
internal sealed class PushRejectedException(int status, string code, string message, long? sequence = null) : Exception(message)
{
    public int Status { get; } = status;

    public long? Sequence { get; } = sequence;

    public string Code { get; } = code;
}

/// <summary>
/// An entry that contradicts what the server holds: its sequence was used for other content
/// (<c>sequence_conflict</c>), or it does not continue the terminal's hash chain (<c>chain_diverged</c>).
/// </summary>
internal sealed class SequenceConflictException(long sequence, string code, string message, PushResponse storedSoFar) : Exception(message)
{
    public long Sequence { get; } = sequence;

    public string Code { get; } = code;

    public PushResponse StoredSoFar { get; } = storedSoFar;
}

/// <summary>What terminals call: who a terminal is, the changes it pulls, the entries it pushes.</summary>
internal sealed class TerminalSync(ProvinceDatabase database, TimeProvider time, ConfirmationSignal confirmations, IOptions<IntakeOptions> intake, IOptions<ProvinceOptions> province, ILogger<TerminalSync> logger)
{
    private readonly PushWriter _writer = new(database, time, confirmations, logger, Math.Max(0, intake.Value.PushQueueLimit));

    /// <summary>True while the push queue is full: a push now would be refused (503) without being looked at.</summary>
    public bool PushQueueFull => _writer.Full;

    // What a pull learns besides the rows, in one row: the epoch and the citizen-ID key (meta), the institution's change
    // counter and the last version of its accounts and of its bills (null when it has none), the institution, the
    // terminal's settings, the top-up limits of the institution's type and the target of the terminal's update channel.
    // Each table is read by its key (the last versions from the top of the sync indexes), so the row is at most one.
    private const string FactsSql =
        $"""
        SELECT (SELECT value FROM meta WHERE key = 'epoch') AS epoch, (SELECT value FROM meta WHERE key = 'citizen_id_key') AS citizen_id_key,
            ({ChangeVersions.CurrentSql}) AS change_version,
            (SELECT MAX(version) FROM accounts WHERE institution_id = $i) AS accounts_last, (SELECT MAX(version) FROM bills WHERE institution_id = $i) AS bills_last,
            i.id, i.name, i.type, i.district, i.bank_bin, i.bank_account, i.bank_account_name, i.bank_name,
            t.offline_policy, t.qr_tag, t.hardware_profile, l.max_balance, l.max_per_day,
            c.name AS channel, c.target_version, c.window_start, c.window_end
        FROM terminals t
        JOIN institutions i ON i.id = $i
        LEFT JOIN top_up_limits l ON l.institution_type = i.type
        LEFT JOIN update_channels c ON c.name = t.update_channel
        WHERE t.id = $t
        """;

    // The end of the page after version $c: the version of the $o-th row past it (counting from 0); no row when fewer
    // rows are past it (the page then runs to the counter).
    private const string WindowSql =
        """
        SELECT version AS up_to FROM (
            SELECT version FROM accounts WHERE institution_id = $i AND version > $c
            UNION ALL
            SELECT version FROM bills WHERE institution_id = $i AND version > $c) AS changed
        ORDER BY version LIMIT 1 OFFSET $o
        """;

    private const string FactsAndWindowSql = FactsSql + ";\n" + WindowSql;

    // The rows of the window ($f, $u]: each account's cards, the accounts, each bill's lines, the bills.
    private const string RowsSql =
        """
        SELECT c.account_code, c.uid, c.denied_at FROM cards c JOIN accounts a ON a.code = c.account_code WHERE a.institution_id = $i AND a.version > $f AND a.version <= $u ORDER BY c.uid;
        SELECT code, kind, full_name, group_name, balance, blocked, version, citizen_id_hash FROM accounts WHERE institution_id = $i AND version > $f AND version <= $u ORDER BY version;
        SELECT l.bill_id, l.description, l.quantity, l.unit_price, l.amount, l.insurance_covered FROM bill_lines l JOIN bills b ON b.id = l.bill_id WHERE b.institution_id = $i AND b.version > $f AND b.version <= $u ORDER BY l.bill_id, l.line_no;
        SELECT id, account_code, category, title, due_date, total, paid, version FROM bills WHERE institution_id = $i AND version > $f AND version <= $u ORDER BY version
        """;

    /// <summary>
    /// Changes for the terminal's institution since <paramref name="cursor"/>, at most <paramref name="limit"/>
    /// rows. An empty, malformed or foreign cursor (another database epoch, a version from the future) gives a full
    /// resync from the start.
    /// </summary>
    /// <remarks>
    /// Every terminal pulls every few seconds, and most pulls find nothing, so a pull asks in as few commands as it
    /// can (each one round trip on PostgreSQL, however many statements it holds): one for the facts and the window
    /// after the version the cursor names; a second for the window only when the cursor turns out not to hold (another
    /// epoch, past the counter), which the first command cannot know before it reads the epoch and the counter; and
    /// one for the rows, only when a row is past the cursor.
    /// </remarks>
    public async Task<PullResponse> PullAsync(TerminalRecord terminal, string? cursor, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);

        // One read transaction: rows and the institution's change counter come from the same snapshot, which waits for
        // no writer. The institution's writers commit its versions in order, so every row at or below the counter the
        // snapshot sees is in the snapshot; other institutions' versions are never compared with this one.
        await using var transaction = await database.BeginReadAsync(connection, cancellationToken).ConfigureAwait(false);
        var guess = CursorParts(cursor)?.Version ?? 0;
        FactsRow facts;
        WindowRow? window;
        await using (var results = await connection.ReadResultsAsync(FactsAndWindowSql, transaction, cancellationToken,
            ("$i", terminal.InstitutionId), ("$t", terminal.Id), ("$c", guess), ("$o", limit - 1)).ConfigureAwait(false))
        {
            facts = await results.ReadFirstAsync<FactsRow>(cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Terminal '{terminal.Id}' or its institution '{terminal.InstitutionId}' is not in the database.");
            window = await results.ReadFirstAsync<WindowRow>(cancellationToken).ConfigureAwait(false);
        }

        var current = facts.ChangeVersion;
        var since = ParseCursor(cursor, facts.Epoch, current);
        var full = since is null;
        var from = since ?? 0;
        if (from != guess)
        {
            window = await connection.ReadFirstAsync<WindowRow>(WindowSql, transaction, cancellationToken,
                ("$i", terminal.InstitutionId), ("$c", from), ("$o", limit - 1)).ConfigureAwait(false);
        }

        // A row is past a version exactly when the institution's last version is: whether anything changed since the
        // cursor, and whether anything is left after this page, without another look at the tables.
        var last = Math.Max(facts.AccountsLast ?? long.MinValue, facts.BillsLast ?? long.MinValue);
        var upTo = window?.UpTo ?? current;
        var hasMore = upTo < current && last > upTo;

        // No row past the cursor (the steady state): nothing to read.
        List<AccountDto> accounts = [];
        List<BillDto> bills = [];
        if (last > from)
        {
            await using var rows = await connection.ReadResultsAsync(RowsSql, transaction, cancellationToken,
                ("$i", terminal.InstitutionId), ("$f", from), ("$u", upTo)).ConfigureAwait(false);
            var cards = await rows.ReadAllAsync<CardRow>(cancellationToken).ConfigureAwait(false);
            accounts = Accounts(cards, await rows.ReadAllAsync<AccountRow>(cancellationToken).ConfigureAwait(false));
            var lines = await rows.ReadAllAsync<BillLineRow>(cancellationToken).ConfigureAwait(false);
            bills = Bills(lines, await rows.ReadAllAsync<BillRow>(cancellationToken).ConfigureAwait(false));
        }

        var institution = new InstitutionDto(facts.Id, facts.Name, facts.Type, facts.District, facts.BankBin, facts.BankAccount, facts.BankAccountName, facts.BankName);
        var policy = facts.OfflinePolicy is null ? OfflinePolicyDto.Default : JsonSerializer.Deserialize(facts.OfflinePolicy, ContractsJsonContext.Default.OfflinePolicyDto)!;
        JsonElement? profile = facts.HardwareProfile is null ? null : JsonDocument.Parse(facts.HardwareProfile).RootElement.Clone();
        var limits = facts is { MaxBalance: { } maxBalance, MaxPerDay: { } maxPerDay } ? new TopUpLimitsDto(maxBalance, maxPerDay) : null;
        var upgrade = FleetUpdates.Target(facts.Channel, facts.TargetVersion, facts.WindowStart, facts.WindowEnd);
        return new PullResponse($"{facts.Epoch}.{upTo}", full, hasMore, institution, accounts, bills, time.GetUtcNow(), policy, (int)facts.QrTag, profile,
            province.Value.LargeTransferAbove > 0 ? province.Value.LargeTransferAbove : null, facts.CitizenIdKey, limits, Upgrade: upgrade);
    }

    /// <summary>
    /// Stores a batch of entries exactly once. An entry already held with the same digest gives back its original
    /// result; one held with another digest stops the batch with <see cref="SequenceConflictException"/> (the
    /// entries before it are kept) and raises an alert.
    /// </summary>
    public async Task<PushResponse> PushAsync(TerminalRecord terminal, PushRequest request, CancellationToken cancellationToken)
    {
        Validate(terminal, request);

        // What needs no turn is done before taking one: each entry's digest and the body stored.
        var prepared = request.Entries.Select(e => (EntryCanonicalForm.Digest(e), JsonSerializer.Serialize(e, ContractsJsonContext.Default.JournalEntryDto))).ToList();
        return await _writer.WriteAsync(terminal, request.Entries, prepared, cancellationToken).ConfigureAwait(false);
    }

    internal static void Validate(TerminalRecord terminal, PushRequest request)
    {
        if (request.TerminalId != terminal.Id)
        {
            throw new PushRejectedException(403, "terminal_mismatch", $"The batch names terminal '{request.TerminalId}' but the request is signed by '{terminal.Id}'.");
        }

        if (request.Entries.Count is 0 or > SyncProtocol.MaxEntriesPerPush)
        {
            throw new PushRejectedException(400, "batch_size", $"A push carries 1 to {SyncProtocol.MaxEntriesPerPush} entries; this one has {request.Entries.Count}.");
        }

        long previous = 0;
        foreach (var entry in request.Entries)
        {
            string? problem = null;
            if (entry.Sequence <= previous)
            {
                problem = "sequences must be positive and strictly ascending";
            }
            else if (entry.Sequence > SyncProtocol.MaxSequence)
            {
                problem = $"sequence is at most {SyncProtocol.MaxSequence}";
            }
            else if (entry.PrevHash is not { Length: 64 } || entry.Hash is not { Length: 64 } || !entry.PrevHash.All(char.IsAsciiHexDigitLower))
            {
                problem = "prevHash and hash must be 64 lower-case hex digits";
            }
            else if (EntryCanonicalForm.ChainHash(entry.PrevHash, entry) != entry.Hash)
            {
                problem = "hash does not match the entry's content and prevHash (changed in transit or by hand)";
            }
            else if (entry.Kind == EntryKinds.PaymentCreated)
            {
                if (entry.Payment is not { } p)
                {
                    problem = "a payment.created entry needs a payment";
                }
                else if (p.Amount > Vnd.MaxAmount || p.Allocations.Any(a => a.Amount > Vnd.MaxAmount))
                {
                    problem = $"payment.amount is over the most one amount may be ({Vnd.MaxAmount} đồng)";
                }
                else if (!PaymentWireNames.TryParsePurpose(p.Purpose, out var purpose))
                {
                    problem = $"unknown purpose '{p.Purpose}'";
                }
                else if (purpose == PaymentPurpose.TopUp && (p.Amount <= 0 || p.Allocations.Count != 0 || p.Method != PaymentMethod.VietQr.WireName()))
                {
                    problem = "a top_up is a vietqr payment of a positive amount without allocations";
                }
                else if (purpose == PaymentPurpose.Bills && (p.Amount <= 0 || p.Allocations.Count == 0 || p.Allocations.Any(a => a.Amount <= 0) || p.Allocations.Sum(a => a.Amount) != p.Amount))
                {
                    problem = "the amount must be positive and equal the sum of its positive allocations";
                }
                else if (p.PaymentId != $"{terminal.Id}-{entry.Sequence:D8}")
                {
                    problem = $"payment id must be '{terminal.Id}-{entry.Sequence:D8}'";
                }
                else if (p.Allocations.DistinctBy(a => a.BillId, StringComparer.Ordinal).Count() != p.Allocations.Count)
                {
                    problem = "a bill appears once among a payment's allocations";
                }
                else if (!PaymentWireNames.TryParseMethod(p.Method, out var method))
                {
                    problem = $"unknown method '{p.Method}'";
                }
                else if ((method == PaymentMethod.ExternalCardTerminal) != (p.External is not null) || p.External is { IsValid: false })
                {
                    problem = "an external_card payment carries its approval code and the card's last 4 digits (no more), and only it does";
                }
                else if ((method == PaymentMethod.VietQr) != (p.Qr is not null))
                {
                    problem = "a vietqr payment carries its QR, and only a vietqr payment does";
                }
                else if (p.Qr is { } qr && (!Core.VietQr.TransferCode.TryParse(qr.TransferCode, out var code) || code.Value.Sequence != entry.Sequence || code.Value.TerminalTag != terminal.QrTag))
                {
                    problem = $"transfer code '{qr.TransferCode}' is not this terminal's code for entry {entry.Sequence}";
                }
                else if (p.Qr is { } shown && (!Core.VietQr.VietQrParser.TryParse(shown.Payload, out var payload, out _) || payload.Amount != p.Amount || payload.Purpose != shown.TransferCode))
                {
                    problem = "the QR payload must be valid VietQR with the payment's amount and transfer code";
                }
            }
            else if (entry.Kind == EntryKinds.PaymentConfirmed)
            {
                if (entry.Confirmation is not { } c)
                {
                    problem = "a payment.confirmed entry needs a confirmation";
                }
                else if (c.Amount is < -Vnd.MaxAmount or > Vnd.MaxAmount || c.TotalReceived is < -Vnd.MaxAmount or > Vnd.MaxAmount || c.Remaining is < -Vnd.MaxAmount or > Vnd.MaxAmount)
                {
                    problem = $"confirmation.amount, totalReceived and remaining are at most {Vnd.MaxAmount} đồng";
                }
            }
            else if (entry.Kind == EntryKinds.PaymentExpired)
            {
                if (entry.Expiry is not { Reason: "expired" or "cancelled" })
                {
                    problem = "a payment.expired entry needs an expiry with reason expired or cancelled";
                }
            }
            else if (entry.Kind == EntryKinds.ReceiptPrinted)
            {
                if (entry.Receipt is null)
                {
                    problem = "a receipt.printed entry needs a receipt";
                }
            }
            else if (entry.Kind is EntryKinds.PaymentVoided or EntryKinds.PaymentRefunded)
            {
                if (entry.Reversal is not { } v)
                {
                    problem = $"a {entry.Kind} entry needs a reversal";
                }
                else if (v.Amount > Vnd.MaxAmount || v.Allocations.Any(a => a.Amount > Vnd.MaxAmount))
                {
                    problem = $"reversal.amount is over the most one amount may be ({Vnd.MaxAmount} đồng)";
                }
                else if (v.Amount <= 0 || v.Allocations.Any(a => a.Amount <= 0) || v.Allocations.Sum(a => a.Amount) != v.Amount)
                {
                    problem = "the reversal's amount must be positive and equal the sum of its positive allocations";
                }
                else if (v.Destination is not (ReversalDestinations.CardBalance or ReversalDestinations.BankTransfer)
                    || (entry.Kind == EntryKinds.PaymentVoided && v.Destination != ReversalDestinations.CardBalance)
                    || (v.Destination == ReversalDestinations.BankTransfer && string.IsNullOrWhiteSpace(v.BankReference)))
                {
                    problem = "a void goes back to the card; a refund to the card or by a bank transfer with its reference";
                }
                else if (string.IsNullOrWhiteSpace(v.Operator) || string.IsNullOrWhiteSpace(v.Supervisor) || v.Operator == v.Supervisor)
                {
                    problem = "a reversal names its cashier and a different approving supervisor";
                }
            }
            else if (entry.Kind == EntryKinds.CardChanged)
            {
                if (entry.Card is not { } card || !CardActions.IsKnown(card.Action))
                {
                    problem = "a card.changed entry needs a card change: issued, lost or replaced";
                }
                else if (!Core.Domain.CardUid.TryNormalise(card.CardUid, out var uid) || uid != card.CardUid || string.IsNullOrWhiteSpace(card.AccountCode) || string.IsNullOrWhiteSpace(card.Operator))
                {
                    problem = "card.cardUid must be a normalised card UID, with the account and the member of staff named";
                }
                else if ((card.Action == CardActions.Replaced) != (card.ReplacedUid is not null)
                    || (card.ReplacedUid is { } old && (!Core.Domain.CardUid.TryNormalise(old, out var oldUid) || oldUid != old || old == card.CardUid)))
                {
                    problem = "a replacement names the old card (normalised, another card), and only a replacement does";
                }
            }
            else if (entry.Kind == EntryKinds.ShiftClosed)
            {
                if (entry.Shift is not { } shift || shift.FirstSequence < 1 || shift.LastSequence != entry.Sequence - 1 || string.IsNullOrWhiteSpace(shift.Operator))
                {
                    problem = "a shift.closed entry needs its figures, covering the entries up to the one before it";
                }
            }
            else
            {
                problem = $"unknown kind '{entry.Kind}'";
            }

            if (problem is not null)
            {
                throw new PushRejectedException(400, "invalid_entry", $"Entry {entry.Sequence}: {problem}.", entry.Sequence);
            }

            previous = entry.Sequence;
        }
    }

    internal static long? ParseCursor(string? cursor, string epoch, long current) =>
        CursorParts(cursor) is { } named && named.Epoch == epoch && named.Version <= current ? named.Version : null;

    /// <summary>The epoch and version a cursor names, whether they hold or not; null when it names none (empty or malformed).</summary>
    private static (string Epoch, long Version)? CursorParts(string? cursor)
    {
        var dot = cursor?.LastIndexOf('.') ?? -1;
        return dot > 0 && long.TryParse(cursor![(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? (cursor[..dot], version) : null;
    }

    private static List<AccountDto> Accounts(List<CardRow> cardRows, List<AccountRow> rows)
    {
        var cards = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var denied = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var card in cardRows)
        {
            if (!cards.TryGetValue(card.AccountCode, out var list))
            {
                cards[card.AccountCode] = list = [];
            }

            list.Add(card.Uid);
            if (card.DeniedAt is not null)
            {
                if (!denied.TryGetValue(card.AccountCode, out var deniedList))
                {
                    denied[card.AccountCode] = deniedList = [];
                }

                deniedList.Add(card.Uid);
            }
        }

        return rows.ConvertAll(a => new AccountDto(a.Code, a.Kind, a.FullName, a.GroupName, a.Balance, a.Blocked != 0,
            cards.TryGetValue(a.Code, out var c) ? c : [], a.Version, denied.TryGetValue(a.Code, out var d) ? d : [], a.CitizenIdHash));
    }

    private static List<BillDto> Bills(List<BillLineRow> lineRows, List<BillRow> rows)
    {
        var lines = new Dictionary<string, List<BillLineDto>>(StringComparer.Ordinal);
        foreach (var line in lineRows)
        {
            if (!lines.TryGetValue(line.BillId, out var list))
            {
                lines[line.BillId] = list = [];
            }

            list.Add(new BillLineDto(line.Description, (int)line.Quantity, line.UnitPrice, line.Amount, line.InsuranceCovered));
        }

        return rows.ConvertAll(b => new BillDto(b.Id, b.AccountCode, b.Category, b.Title,
            b.DueDate is { } due ? DateOnly.ParseExact(due, "yyyy-MM-dd", CultureInfo.InvariantCulture) : null, b.Total, b.Paid, lines.TryGetValue(b.Id, out var l) ? l : [], b.Version));
    }

    private sealed record FactsRow
    {
        public required string Epoch { get; init; }

        public string? CitizenIdKey { get; init; }

        public long ChangeVersion { get; init; }

        public long? AccountsLast { get; init; }

        public long? BillsLast { get; init; }

        public required string Id { get; init; }

        public required string Name { get; init; }

        public required string Type { get; init; }

        public required string District { get; init; }

        public string? BankBin { get; init; }

        public string? BankAccount { get; init; }

        public string? BankAccountName { get; init; }

        public string? BankName { get; init; }

        public string? OfflinePolicy { get; init; }

        public long QrTag { get; init; }

        public string? HardwareProfile { get; init; }

        public long? MaxBalance { get; init; }

        public long? MaxPerDay { get; init; }

        public string? Channel { get; init; }

        public string? TargetVersion { get; init; }

        public string? WindowStart { get; init; }

        public string? WindowEnd { get; init; }
    }

    private sealed record WindowRow
    {
        public long UpTo { get; init; }
    }

    private sealed record CardRow
    {
        public required string AccountCode { get; init; }

        public required string Uid { get; init; }

        public string? DeniedAt { get; init; }
    }

    private sealed record AccountRow
    {
        public required string Code { get; init; }

        public required string Kind { get; init; }

        public required string FullName { get; init; }

        public string? GroupName { get; init; }

        public long Balance { get; init; }

        public long Blocked { get; init; }

        public long Version { get; init; }

        public string? CitizenIdHash { get; init; }
    }

    private sealed record BillRow
    {
        public required string Id { get; init; }

        public required string AccountCode { get; init; }

        public required string Category { get; init; }

        public required string Title { get; init; }

        public string? DueDate { get; init; }

        public long Total { get; init; }

        public long Paid { get; init; }

        public long Version { get; init; }
    }
}
