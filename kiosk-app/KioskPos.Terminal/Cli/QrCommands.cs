using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using KioskPos.Core.VietQr;
using KioskPos.Core.Text;

namespace KioskPos.Terminal.Cli;

/// <summary>
/// <c>qr parse PAYLOAD</c> and <c>qr build ...</c>: for technicians and support checking a code a payer shows them.
/// Exit codes: 0 valid, 1 invalid (the error names the field), 2 usage.
/// </summary>
internal static class QrCommands
{
    public static Command Create()
    {
        var payloadArgument = new Argument<string>("payload") { Description = "The VietQR text, as a scanner reads it" };
        var parse = new Command("parse", "Print a VietQR payload's fields as JSON, or say precisely what is wrong with it") { payloadArgument };
        parse.SetAction(result =>
        {
            var text = result.GetValue(payloadArgument)!;
            if (!VietQrParser.TryParse(text, out var payload, out var error))
            {
                Console.Error.WriteLine(Messages.Both("cli.qr.invalid", error.Field, error.Code, error.Message));
                return 1;
            }

            Console.WriteLine(ToJson(payload, text));
            return 0;
        });

        var bin = new Option<string>("--bin") { Description = "Receiving bank BIN, 6 digits (e.g. 970436 Vietcombank)", Required = true };
        var account = new Option<string>("--account") { Description = "Account (or card) number", Required = true };
        var amount = new Option<long?>("--amount") { Description = "Whole đồng; makes a dynamic QR (point of initiation 12)" };
        var purpose = new Option<string?>("--purpose") { Description = "Transfer text (62/08); folded to ASCII, at most 25" };
        var name = new Option<string?>("--name") { Description = "Merchant name (59), at most 25" };
        var city = new Option<string?>("--city") { Description = "Merchant city (60), at most 15" };
        var bill = new Option<string?>("--bill") { Description = "Bill number (62/01)" };
        var toCard = new Option<bool>("--card") { Description = "The number is a card (QRIBFTTC), not an account" };
        var build = new Command("build", "Print a VietQR payload") { bin, account, amount, purpose, name, city, bill, toCard };
        build.SetAction(result =>
        {
            var additional = new VietQrAdditionalData(BillNumber: result.GetValue(bill), Purpose: result.GetValue(purpose));
            var payload = new VietQrPayload(
                result.GetValue(amount) is not null,
                result.GetValue(bin)!,
                result.GetValue(account)!,
                result.GetValue(toCard) ? VietQrService.ToCard : VietQrService.ToAccount,
                result.GetValue(amount),
                result.GetValue(name),
                result.GetValue(city),
                Additional: additional.IsEmpty ? null : additional);
            try
            {
                Console.WriteLine(VietQrBuilder.Build(payload));
                return 0;
            }
            catch (VietQrFormatException e)
            {
                Console.Error.WriteLine(Messages.Both("cli.qr.cannot_build", e.Error.Field, e.Error.Code, e.Error.Message));
                return 1;
            }
        });

        return new Command("qr", "VietQR payloads: parse one a payer shows, or build one") { parse, build };
    }

    private static string ToJson(VietQrPayload payload, string text)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("scheme", "vietqr");
            json.WriteString("pointOfInitiation", payload.Dynamic ? "dynamic" : "static");
            json.WriteString("bankBin", payload.BankBin);
            json.WriteString("accountNumber", payload.AccountNumber);
            json.WriteString("service", payload.Service == VietQrService.ToCard ? "QRIBFTTC" : "QRIBFTTA");
            WriteOptional(json, "merchantCategoryCode", payload.MerchantCategoryCode);
            json.WriteString("currency", "704");
            if (payload.Amount is { } value)
            {
                json.WriteNumber("amount", value);
            }
            else
            {
                json.WriteNull("amount");
            }

            json.WriteString("country", "VN");
            WriteOptional(json, "merchantName", payload.MerchantName);
            WriteOptional(json, "merchantCity", payload.MerchantCity);
            if (payload.Additional is { } data)
            {
                json.WriteStartObject("additionalData");
                WriteOptional(json, "billNumber", data.BillNumber);
                WriteOptional(json, "mobileNumber", data.MobileNumber);
                WriteOptional(json, "storeLabel", data.StoreLabel);
                WriteOptional(json, "referenceLabel", data.ReferenceLabel);
                WriteOptional(json, "terminalLabel", data.TerminalLabel);
                WriteOptional(json, "purpose", data.Purpose);
                json.WriteEndObject();
            }

            var codes = TransferCode.FindIn(payload.Purpose);
            if (codes.Count > 0)
            {
                json.WriteString("kioskposTransferCode", codes[0].Value);
            }

            json.WriteString("crc", text.Trim()[^4..].ToUpperInvariant());
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }
}
