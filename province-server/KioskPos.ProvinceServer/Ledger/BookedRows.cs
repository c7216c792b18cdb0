using KioskPos.Core.Domain;

namespace KioskPos.ProvinceServer.Ledger;

/// <summary>A row the ledger changes in memory: <see cref="Written"/> once the storage layer has written it.</summary>
internal interface IBookedRow
{
    /// <summary>Forgets the pending change (the database holds it now).</summary>
    void Written();
}

/// <summary>An account's balance as the ledger moves it.</summary>
internal sealed class BookedAccount(string code, string institutionId, long balance, long version) : IBookedRow
{
    public string Code { get; } = code;

    public string InstitutionId { get; } = institutionId;

    public long Balance { get; private set; } = balance;

    public long Version { get; private set; } = version;

    public bool Changed { get; private set; }

    /// <summary>Adds <paramref name="amount"/> (negative: takes it) and returns the balance and version after.</summary>
    public (long Balance, long Version) Move(long amount, long version)
    {
        (Balance, Version, Changed) = (Balance + amount, version, true);
        return (Balance, Version);
    }

    public void Written() => Changed = false;
}

/// <summary>A bill and what is paid of it.</summary>
internal sealed class BookedBill(string id, string institutionId, string accountCode, long paid, long total, BillCategory category, long version) : IBookedRow
{
    public string Id { get; } = id;

    public string InstitutionId { get; } = institutionId;

    public string AccountCode { get; } = accountCode;

    public long Paid { get; private set; } = paid;

    public long Total { get; } = total;

    public BillCategory Category { get; } = category;

    public long Version { get; private set; } = version;

    public bool Changed { get; private set; }

    /// <summary>Adds <paramref name="amount"/> to what is paid (negative: reopens it) and returns the new version.</summary>
    public long Pay(long amount, long version)
    {
        (Paid, Version, Changed) = (Paid + amount, version, true);
        return version;
    }

    public void Written() => Changed = false;
}

/// <summary>A card, and whether terminals must refuse it.</summary>
internal sealed class BookedCard(string uid, string accountCode, bool denied) : IBookedRow
{
    /// <summary>True until a card issued in this group is first written.</summary>
    public bool New { get; set; }

    public string Uid { get; } = uid;

    public string AccountCode { get; } = accountCode;

    public bool Denied { get; private set; } = denied;

    /// <summary>Why and since when, when the ledger denied it; null otherwise.</summary>
    public (string Reason, string At)? DeniedHere { get; private set; }

    public bool Changed => DeniedHere is not null;

    public void Deny(string reason, string at) => (Denied, DeniedHere) = (true, (reason, at));

    public void Written() => (DeniedHere, New) = (null, false);
}

/// <summary>A card issued, lost or replaced, as a terminal journalled it, and what the ledger noticed.</summary>
internal sealed record CardChangeRecord(string TerminalId, long Sequence, string Action, string AccountCode, string CardUid, string? ReplacedUid, string Operator, string CreatedAt, string Flags);

/// <summary>A payment as the ledger knows it: what was asked, what arrived, what was given back.</summary>
internal sealed class BookedPayment(string id, string terminalId, string accountCode, PaymentMethod method, long amount, long received, long reversed, PaymentState state) : IBookedRow
{
    public string Id { get; } = id;

    public string TerminalId { get; } = terminalId;

    public string AccountCode { get; } = accountCode;

    public PaymentMethod Method { get; } = method;

    public long Amount { get; } = amount;

    public long Received { get; } = received;

    public long Reversed { get; private set; } = reversed;

    public PaymentState State { get; set; } = state;

    public bool Changed { get; set; }

    /// <summary>For a payment made in this group, what its row also holds; null once the row is written.</summary>
    public PaymentArrival? Arrival { get; set; }

    public void Reverse(long amount, bool voided)
    {
        Reversed += amount;
        State = voided ? PaymentState.Voided : Reversed >= Amount ? PaymentState.Refunded : State;
        Changed = true;
    }

    public void Written() => (Changed, Arrival) = (false, null);
}

/// <summary>What a payment's new row holds beyond what the ledger works with.</summary>
internal sealed record PaymentArrival(long Sequence, string InstitutionId, string? CardUid, string CreatedAt, string ReceivedAt, long? BalanceAfter, string Flags, string? TransferCode, string? ExpiresAt,
    PaymentPurpose Purpose = PaymentPurpose.Bills);

/// <summary>What a payment put towards one bill, and how much of it the bill was credited.</summary>
internal sealed class BookedAllocation(string paymentId, string billId, long amount, long credited) : IBookedRow
{
    public string PaymentId { get; } = paymentId;

    public string BillId { get; } = billId;

    public long Amount { get; } = amount;

    public long Credited { get; private set; } = credited;

    public bool Changed { get; private set; }

    /// <summary>True until the row is first written.</summary>
    public bool New { get; set; }

    public void Uncredit(long amount) => (Credited, Changed) = (Math.Max(0, Credited - amount), true);

    public void Written() => (Changed, New) = (false, false);
}

/// <summary>A void or refund as recorded.</summary>
internal sealed record ReversalRecord(string TerminalId, long Sequence, string PaymentId, string Kind, long Amount, string Destination, string? BankReference, string Supervisor, string CreatedAt);

/// <summary>Something a person must look at.</summary>
internal sealed record AlertRecord(string At, string? TerminalId, string Kind, string Detail);
