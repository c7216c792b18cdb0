using System.Net;
using System.Net.Http.Json;
using KioskPos.Shared.Contracts;

namespace KioskPos.ProvinceServer.Tests.Banking;

/// <summary>
/// A code read across a separator (<c>KP2AB 22227QN</c>) may be a cut code completed by the next word, which the
/// check character lets through one time in 32: it pays its payment only when the amount is exactly what is due;
/// any other amount is kept unmatched (<c>split_code</c>) for a person to review. A code written whole is matched as ever.
/// </summary>
public sealed class SplitTransferCodeTests
{
    private const string School = "TG-THCS-NGUYENDU";

    [Fact]
    public async Task A_split_code_pays_exactly_the_amount_due_and_any_other_amount_goes_to_review()
    {
        await using var province = await ProvinceHost.StartAsync();
        var (bin, account) = await AccountAsync(province);
        using var journal = await QrJournal.StartAsync(province);

        var (exact, exactCode) = await journal.VietQrAsync("HS240002", "HP-2611-HS240002", 150_000, bin, account);
        Assert.Equal(("accepted", "paid", exact), await NotifyAsync(province, 150_000, $"MBVCB.3278729.{exactCode[..5]} {exactCode[5..]}.CT tu 1234"));

        var (shortPaid, shortCode) = await journal.VietQrAsync("HS240001", "HP-2611-HS240001", 150_000, bin, account);
        Assert.Equal(("accepted", "unmatched", shortPaid), await NotifyAsync(province, 100_000, $"{shortCode[..7]} {shortCode[7..]} hoc phi"));
        Assert.Equal("split_code", await province.ScalarAsync("SELECT flags FROM bank_transfers WHERE payment_id = $p", ("$p", shortPaid)));
        Assert.Equal("pending", await province.ScalarAsync("SELECT state FROM payments WHERE id = $p", ("$p", shortPaid)));

        // The same short amount with the code written whole: underpaid, as ever.
        Assert.Equal(("accepted", "underpaid", shortPaid), await NotifyAsync(province, 100_000, $"{shortCode} hoc phi"));
    }

    internal static async Task<(string Bin, string Account)> AccountAsync(ProvinceHost province) =>
        ((string)(await province.ScalarAsync("SELECT bank_bin FROM institutions WHERE id = $i", ("$i", School)))!,
         (string)(await province.ScalarAsync("SELECT bank_account FROM institutions WHERE id = $i", ("$i", School)))!);

    internal static async Task<(string Status, string Outcome, string? PaymentId)> NotifyAsync(ProvinceHost province, long amount, string text, string account = ProvinceHost.SchoolAccount)
    {
        using var response = await province.NotifyAsync(amount, text, account: account);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.BankNotificationResult))!;
        return (result.Status, result.Outcome, result.PaymentId);
    }
}
