using System.Security.Cryptography;
using System.Text;
using KioskPos.Core.Identity;

namespace KioskPos.Core.Tests.Identity;

/// <summary>
/// The CCCD QR parser. Layout (| separated: 12-digit number, old 9-digit number or empty, full name, birth date
/// ddMMyyyy, sex, permanent address, issue date ddMMyyyy; 6 or more fields) from ../shared/reference/institution-data.md,
/// the same order public CCCD QR readers document (a Vietnamese ID-card QR reader's README lists Số CCCD, Số CMND cũ,
/// Họ tên, Ngày sinh, Giới tính, Địa chỉ thường trú, Ngày cấp).
/// </summary>
public sealed class CitizenIdQrTests
{
    [Theory]
    [InlineData("001090123456|012345678|Nguyễn Văn An|01011990|Nam|Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh|15042021", "001090123456")]
    [InlineData("082190000123||Đoàn Thị Kim Tuyết|15011990|Nữ|Ấp Long Hòa, xã Long An, huyện Châu Thành, tỉnh Tiền Giang|20042021\r\n", "082190000123")]
    [InlineData("082190000123||Đoàn Thị Kim Tuyết|15011990|Nữ|Ấp Long Hòa", "082190000123")] // six fields: no issue date
    [InlineData("079090001234|079090001234|Trần Văn Bình|02031990|Nam|Phường Sài Gòn, TP. Hồ Chí Minh|10052021", "079090001234")] // a 12-digit ID card of 2012–2016 before it
    [InlineData("082190000123||Đoàn Thị Kim Tuyết|15011990|Nữ|Ấp Long Hòa|20042021|extra|fields", "082190000123")]
    public void A_card_s_qr_gives_its_number_only(string text, string number)
    {
        Assert.True(CitizenIdQr.TryReadNumber(text, out var read, out _));
        Assert.Equal(number, read);
    }

    [Theory]
    [InlineData(null, CitizenIdQr.Problem.NotACitizenIdQr)]
    [InlineData("", CitizenIdQr.Problem.NotACitizenIdQr)]
    [InlineData("00020101021238570010A00000072701270006970436", CitizenIdQr.Problem.NotACitizenIdQr)] // a VietQR, not a card
    [InlineData("082190000123||Tên|15011990|Nữ", CitizenIdQr.Problem.NotACitizenIdQr)] // five fields
    [InlineData("082190000123|12345|Tên|15011990|Nữ|Địa chỉ|20042021", CitizenIdQr.Problem.NotACitizenIdQr)] // old number not 9 digits
    [InlineData("082190000123|||15011990|Nữ|Địa chỉ|20042021", CitizenIdQr.Problem.NotACitizenIdQr)] // no name
    [InlineData("08219000012|||Tên|15011990|Nữ|Địa chỉ", CitizenIdQr.Problem.NotACitizenIdQr)]
    [InlineData("08219000012||Tên|15011990|Nữ|Địa chỉ|20042021", CitizenIdQr.Problem.BadNumber)]
    [InlineData("08219000012X||Tên|15011990|Nữ|Địa chỉ|20042021", CitizenIdQr.Problem.BadNumber)]
    [InlineData("082190000123||Tên|31021990|Nữ|Địa chỉ|20042021", CitizenIdQr.Problem.BadBirthDate)]
    [InlineData("082190000123||Tên|1990-01-15|Nữ|Địa chỉ|20042021", CitizenIdQr.Problem.BadBirthDate)]
    public void Anything_else_is_refused_with_its_reason(string? text, CitizenIdQr.Problem problem)
    {
        Assert.False(CitizenIdQr.TryReadNumber(text, out _, out var found));
        Assert.Equal(problem, found);
        Assert.False(string.IsNullOrEmpty(Text.Messages.Vi(CitizenIdQr.MessageKey(found))));
    }

    [Fact]
    public void The_hash_is_hmac_sha256_under_the_key_and_differs_per_key()
    {
        var key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes("kioskpos/cccd/v1:082190000123")));
        Assert.Equal(expected, CitizenIdHash.Compute(key, "082190000123"));
        Assert.NotEqual(expected, CitizenIdHash.Compute(new byte[32], "082190000123"));
        Assert.DoesNotContain("082190000123", CitizenIdHash.Compute(key, "082190000123"), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => CitizenIdHash.Compute(key, "08219000012"));
        Assert.Null(CitizenIdHash.ParseKey("abc"));
        Assert.Equal(key, CitizenIdHash.ParseKey(Convert.ToHexString(key)));
    }
}
