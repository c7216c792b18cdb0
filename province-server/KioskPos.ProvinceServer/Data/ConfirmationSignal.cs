using System.Collections.Concurrent;

namespace KioskPos.ProvinceServer.Data;

/// <summary>Wakes the long polls of a terminal when a confirmation for it is committed.</summary>
internal sealed class ConfirmationSignal
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiters = new(StringComparer.Ordinal);

    /// <summary>
    /// A task that completes at the next <see cref="Notify"/> for <paramref name="terminalId"/>. Take it before
    /// reading, so that a confirmation committed between the read and the wait is not missed.
    /// </summary>
    public Task NextAsync(string terminalId) =>
        _waiters.GetOrAdd(terminalId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Wakes every poll of the terminals named.</summary>
    public void Notify(IEnumerable<string> terminalIds)
    {
        foreach (var id in terminalIds.Distinct(StringComparer.Ordinal))
        {
            if (_waiters.TryRemove(id, out var waiter))
            {
                waiter.TrySetResult();
            }
        }
    }
}
