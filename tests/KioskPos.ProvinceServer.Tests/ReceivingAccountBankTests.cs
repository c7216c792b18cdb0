using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace KioskPos.ProvinceServer.Tests;

/// <summary>
/// A receiving account's BIN must be a NAPAS 247 member's (a QR with any other is refused by payers' apps, or read as
/// another bank's), unless the administrator says the bank is newer than the list; its bank name must be that bank's.
/// </summary>
public sealed class ReceivingAccountBankTests
{
    private const string Path = "/api/v1/admin/institutions/TG-THCS-NGUYENDU/bank-account";
    private const string Account = "SELECT bank_bin, bank_account, bank_name FROM institutions WHERE id = 'TG-THCS-NGUYENDU'";

    [Fact]
    public async Task An_unlisted_BIN_or_a_bank_name_of_another_bank_is_refused_naming_the_field()
    {
        await using var province = await ProvinceHost.StartAsync();
        var before = await province.RowsAsync(Account);
        (object Body, string Field)[] refused =
        [
            (new { bankBin = "123456", accountNumber = "1023456789", accountName = "TRUONG THCS NGUYEN DU" }, "bankBin"),
            (new { bankBin = "970499", accountNumber = "1023456789", accountName = "TRUONG THCS NGUYEN DU", bankName = "Agribank" }, "bankBin"),
            (new { bankBin = "970436", accountNumber = "1023456789", accountName = "TRUONG THCS NGUYEN DU", bankName = "Techcombank" }, "bankName"),
            (new { bankBin = "970422", accountNumber = "1023456789", accountName = "TRUONG THCS NGUYEN DU", bankName = "MBV" }, "bankName"),
            (new { bankBin = "123456", accountNumber = "1023456789", accountName = "TRUONG THCS NGUYEN DU", unlistedBin = true }, "bankName"),
        ];
        foreach (var (body, field) in refused)
        {
            using var answer = await province.Admin.PutAsJsonAsync(Path, body);
            Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
            var problem = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("invalid_account", problem.GetProperty("code").GetString());
            Assert.StartsWith(field, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(before, await province.RowsAsync(Account));
    }

    [Fact]
    public async Task A_listed_BIN_takes_its_banks_name_and_an_unlisted_one_needs_the_flag_and_a_name()
    {
        await using var province = await ProvinceHost.StartAsync();
        (object Body, string Saved)[] accepted =
        [
            (new { bankBin = "970436", accountNumber = "1023456789", accountName = "TRUONG THCS NGUYEN DU" }, "970436|1023456789|Vietcombank|\n"),
            (new { bankBin = "970436", accountNumber = "1023456789", accountName = "TRUONG THCS NGUYEN DU", bankName = "Vietcombank - CN Tiền Giang" }, "970436|1023456789|Vietcombank - CN Tiền Giang|\n"),
            (new { bankBin = "970422", accountNumber = "1023456789", accountName = "TRUONG THCS NGUYEN DU", bankName = "MB Bank" }, "970422|1023456789|MB Bank|\n"),
            (new { bankBin = "970416", accountNumber = "1023456789", accountName = "TRUONG THCS NGUYEN DU", bankName = "Ngân hàng TMCP Á Châu" }, "970416|1023456789|Ngân hàng TMCP Á Châu|\n"),
            (new { bankBin = "546034", accountNumber = "1023456789", accountName = "TRUONG THCS NGUYEN DU" }, "546034|1023456789|CAKE|\n"),
            (new { bankBin = "123456", accountNumber = "1023456789", accountName = "TRUONG THCS NGUYEN DU", bankName = "Ngân hàng Mới", unlistedBin = true }, "123456|1023456789|Ngân hàng Mới|\n"),
        ];
        foreach (var (body, saved) in accepted)
        {
            using var answer = await province.Admin.PutAsJsonAsync(Path, body);
            Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
            Assert.Equal(saved, await province.RowsAsync(Account));
        }
    }
}
