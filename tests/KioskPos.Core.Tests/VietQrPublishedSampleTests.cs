using KioskPos.Core.VietQr;

namespace KioskPos.Core.Tests;

/// <summary>
/// VietQR payloads nobody here wrote, fed to our parser: codes issued by wallets (MoMo, ZaloPay), with other merchant
/// account templates beside 38 and unreserved fields after 62, and the malformed or foreign codes other libraries'
/// tests ship, which must be refused naming the field and the reason. Each sample says where it was published.
/// </summary>
public class VietQrPublishedSampleTests
{
    public static TheoryData<string, bool, string, string, long?> Accepted => new()
    {
        // MoMo's multi-purpose receive QR (a BVBank account per wallet): 62/05 reference label, then an unreserved
        // field 80 after 62. xuannghia/vietnam-qr-pay, test/test-momo-zalopay.spec.ts ("QR Content generated from MoMo app").
        { "00020101021138620010A00000072701320006970454011899MM24011M348750800208QRIBFTTA53037045802VN62190515MOMOW2W3487508080030466304EBC8", false, "970454", "99MM24011M34875080", null },

        // ZaloPay's receive QR, static. xuannghia/vietnam-qr-pay, test/test-momo-zalopay.spec.ts.
        { "00020101021138620010A00000072701320006970454011899ZP24009M072482670208QRIBFTTA53037045802VN6304073C", false, "970454", "99ZP24009M07248267", null },

        // A ZaloPay sandbox order's qr_code (the create-order answer of qcgateway.zalopay.vn), dynamic: ZaloPay's own
        // merchant template 26 (GUID "vn.zalopay") before the NAPAS 38, MCC 7399 and 50,000 đồng. Kept in a public
        // repository that the code index returned (find_string "0010A000000727") as file 878494233, without its name.
        { "00020101021226530010vn.zalopay01061800050203001031810569330321051169538620010A00000072701320006970454011899ZP24334O007216770208QRIBFTTA5204739953037045405500005802VN630480E1", true, "970454", "99ZP24334O00721677", 50_000 },

        // The decode example of xuannghia/vietnam-qr-pay, test/test-vietqr.spec.ts (ACB, 1,000 đồng, "Chuyen tien").
        { "00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA5303704540410005802VN62150811Chuyen tien6304BBB8", true, "970416", "257678859", 1_000 },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void A_code_issued_by_a_wallet_or_bank_is_read_with_its_account_and_amount(string payload, bool dynamic, string bin, string account, long? amount)
    {
        Assert.True(VietQrParser.TryParse(payload, out var parsed, out var error), error?.ToString());
        Assert.Equal((dynamic, bin, account, amount, VietQrService.ToAccount), (parsed.Dynamic, parsed.BankBin, parsed.AccountNumber, parsed.Amount, parsed.Service));
    }

    [Fact]
    public void MoMos_reference_label_is_read_and_its_unreserved_field_80_is_passed_over()
    {
        var momo = VietQrParser.Parse("00020101021138620010A00000072701320006970454011899MM24011M348750800208QRIBFTTA53037045802VN62190515MOMOW2W3487508080030466304EBC8");
        Assert.Equal("MOMOW2W34875080", momo.Additional?.ReferenceLabel);
        Assert.Null(momo.Purpose);
    }

    [Fact]
    public void ZaloPays_own_template_26_beside_38_is_passed_over_and_its_category_is_read()
    {
        var zalo = VietQrParser.Parse("00020101021226530010vn.zalopay01061800050203001031810569330321051169538620010A00000072701320006970454011899ZP24334O007216770208QRIBFTTA5204739953037045405500005802VN630480E1");
        Assert.Equal("7399", zalo.MerchantCategoryCode);
    }

    public static TheoryData<string, string, string> Refused => new()
    {
        // EVN's electricity bill QR: merchant template 26 with GUID "00", no NAPAS 38. xuannghia/vietnam-qr-pay, test/test-evn-qr.spec.ts.
        { "000201010211262400020001140100101114-0195204490053037045802VN5931EVN CONG TY DIEN LUC THANH XUAN6006Ha Noi62450302000613PD000000000000702000812TT tien dien6304DC30", "38", "not_napas" },

        // ShopeePay (AirPay) merchant QR, template 26 "vn.airpay.www". xuannghia/vietnam-qr-pay, test/test-airpay-qr.spec.ts.
        { "00020101021126610013vn.airpay.www014000000201010100064185noC4efDjGKq0or5GbeBz5204581253037045910RESTAURANT6009HOCHIMINH5802VN6304DA5C", "38", "not_napas" },

        // A shop's VNPAY-QR (template 26, GUID A000000775), and the same with its CRC changed (checked before the scheme).
        // xuannghia/vietnam-qr-pay, test/test-vnpay-qr.spec.ts.
        { "00020101021126280010A000000775011001087990425204597753037045802VN5909MYPHAMHER6005HANOI62260311MY PHAM HER0707MPHER0163041C50", "26", "vnpay_qr" },
        { "00020101021126280010A000000775011001087990425204597753037045802VN5909MYPHAMHER6005HANOI62260311MY PHAM HER0707MPHER0163041C55", "63", "crc_mismatch" },

        // A VNPay wallet's personal QR with a UTF-8 name. xuannghia/vietnam-qr-pay, test/test-vnpay-qr.spec.ts.
        { "00020101021002020103069084010411VNPayWallet071003933571580809Lê Anh Tú09051000010037041107content63042678", "payload", "not_ascii" },

        // The decode example with its last CRC digit changed. xuannghia/vietnam-qr-pay, test/test-vietqr.spec.ts.
        { "00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA5303704540410005802VN62150811Chuyen tien6304BBB5", "63", "crc_mismatch" },

        // A library's "valid" fixture whose CRC matches but whose 38/01 declares 39 characters and so swallows the
        // service code: 38/02 is missing. binhnguyenduc/vietqr-ts, tests/fixtures/vietqr-samples.ts (DYNAMIC_WITH_OPTIONALS).
        { "00020101021238570010A00000072701390006970422011301234567890200208QRIBFTTA53037045405100005802VN62350809Test Memo0706PAYBIL0908INV-20246304074A", "38/02", "missing_field" },

        // The same library's UTF-8 transfer text (WITH_UTF8_MESSAGE) and its CRC fixture (INVALID_CRC).
        { "00020101021238570010A00000072701390006970422011301234567890200208QRIBFTTA53037045405100005802VN62260822Thanh toán hóa đơn630432F8", "payload", "not_ascii" },
        { "00020101021138570010A00000072701390006970422011301234567890200208QRIBFTTA53037045802VN63040000", "63", "crc_mismatch" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void A_foreign_or_malformed_code_is_refused_naming_the_field_and_the_reason(string payload, string field, string code)
    {
        Assert.False(VietQrParser.TryParse(payload, out _, out var error));
        Assert.Equal((field, code), (error.Field, error.Code));
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }
}
