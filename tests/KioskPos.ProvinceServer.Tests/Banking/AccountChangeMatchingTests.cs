using System.Net;
using System.Net.Http.Json;

namespace KioskPos.ProvinceServer.Tests.Banking;

/// <summary>
/// A transfer is matched against the account of the QR the payer scanned, not the institution's account of today: a
/// QR shown before the institution changed its receiving account and paid after is paid, not <c>wrong_account</c>.
/// </summary>
public sealed class AccountChangeMatchingTests
{
    [Fact]
    public async Task A_QR_paid_to_the_old_account_after_the_account_changed_is_paid()
    {
        await using var province = await ProvinceHost.StartAsync();
        var (bin, oldAccount) = await SplitTransferCodeTests.AccountAsync(province);
        using var journal = await QrJournal.StartAsync(province);
        var (paid, code) = await journal.VietQrAsync("HS240002", "HP-2611-HS240002", 150_000, bin, oldAccount);

        using (var changed = await province.Admin.PutAsJsonAsync("/api/v1/admin/institutions/TG-THCS-NGUYENDU/bank-account",
            new { bankBin = "970436", accountNumber = "1029999999", accountName = "TRUONG THCS NGUYEN DU", bankName = "Vietcombank" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);
        }

        Assert.Equal(("accepted", "paid", paid), await SplitTransferCodeTests.NotifyAsync(province, 150_000, $"{code} hoc phi", account: oldAccount));
        Assert.Equal("completed", await province.ScalarAsync("SELECT state FROM payments WHERE id = $p", ("$p", paid)));

        // An account that is neither the QR's nor the institution's is still wrong.
        var (other, otherCode) = await journal.VietQrAsync("HS240001", "HP-2611-HS240001", 150_000, "970436", "1029999999");
        Assert.Equal(("accepted", "unmatched", other), await SplitTransferCodeTests.NotifyAsync(province, 150_000, $"{otherCode} hoc phi", account: "5550001112"));
        Assert.Equal("wrong_account", await province.ScalarAsync("SELECT flags FROM bank_transfers WHERE payment_id = $p", ("$p", other)));
    }
}
