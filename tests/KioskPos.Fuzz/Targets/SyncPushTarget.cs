using System.Text.Json;
using KioskPos.ProvinceServer.Data;
using KioskPos.Shared.Contracts;

namespace KioskPos.Fuzz.Targets;

/// <summary>
/// The body of <c>POST /api/v1/sync/push</c> as the province reads it once the request's signature is checked:
/// <see cref="JsonBody.TryReadAsync{T}"/> into a <see cref="PushRequest"/>, <see cref="TerminalSync.Validate"/>, then the
/// digests and stored copies of the entries. A malformed body is a message (a 400), a refused batch a
/// <see cref="PushRejectedException"/>; anything else escaping would be a 500. The batch is checked twice: as sent, and
/// with its hash chain recomputed, so that the fuzzer reaches the checks behind the hash (it cannot forge SHA-256).
/// </summary>
internal sealed class SyncPushTarget : IFuzzTarget
{
    internal static readonly TerminalRecord Terminal = new("KP-FUZZ-01", "TG-THCS-NGUYENDU", "fuzz", false, 0, null, 7);

    public string Name => "sync-push";

    public string Parser => "JsonBody.TryReadAsync<PushRequest>, TerminalSync.Validate, EntryCanonicalForm (the push body)";

    public void Run(ReadOnlySpan<byte> input)
    {
        using var body = new MemoryStream(input.ToArray(), writable: false);
        var (request, error) = JsonBody.TryReadAsync(body, ContractsJsonContext.Default.PushRequest, CancellationToken.None).GetAwaiter().GetResult();
        if (request is null)
        {
            if (string.IsNullOrEmpty(error))
            {
                throw new FuzzFinding("a body refused without a message");
            }

            return;
        }

        Check(request);
        Check(request with { Entries = Rechained(request.Entries) });
    }

    private static void Check(PushRequest request)
    {
        try
        {
            TerminalSync.Validate(Terminal, request);
        }
        catch (PushRejectedException e)
        {
            if (e.Status is not (400 or 403) || string.IsNullOrEmpty(e.Code))
            {
                throw new FuzzFinding($"refused with {e.Status} '{e.Code}'");
            }

            return;
        }

        // What the server does next with an accepted batch, before the database.
        foreach (var entry in request.Entries)
        {
            _ = EntryCanonicalForm.Digest(entry);
            _ = JsonSerializer.Serialize(entry, ContractsJsonContext.Default.JournalEntryDto);
        }
    }

    private static List<JournalEntryDto> Rechained(IReadOnlyList<JournalEntryDto> entries)
    {
        var prev = entries.FirstOrDefault()?.PrevHash is { Length: 64 } first && first.All(char.IsAsciiHexDigitLower) ? first : new string('0', 64);
        var chained = new List<JournalEntryDto>(entries.Count);
        foreach (var entry in entries)
        {
            if (entry is null)
            {
                chained.Add(entry!);
                continue;
            }

            var linked = entry with { PrevHash = prev };
            linked = linked with { Hash = EntryCanonicalForm.ChainHash(prev, linked) };
            chained.Add(linked);
            prev = linked.Hash;
        }

        return chained;
    }
}
