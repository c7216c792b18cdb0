using System.Text;
using KioskPos.Core.Money;
using KioskPos.Core.Text;
using KioskPos.Terminal.Services;

namespace KioskPos.Terminal.Speech;

/// <summary>
/// What the terminal says, composed on the terminal from the message catalogue (Vietnamese) and what it shows, never
/// from text a page sends: amounts in words ("một triệu hai trăm năm mươi nghìn đồng"), transfer codes and account
/// digits one character at a time, letters by their Vietnamese names, so a listener can type them.
/// </summary>
public static class SpeechTexts
{
    // The Vietnamese names of the letters, as a school teaches them; a listener types what they hear.
    private static readonly Dictionary<char, string> s_letters = new()
    {
        ['A'] = "a", ['B'] = "bê", ['C'] = "xê", ['D'] = "dê", ['E'] = "e", ['F'] = "ép", ['G'] = "giê", ['H'] = "hát", ['I'] = "i",
        ['J'] = "gi", ['K'] = "ca", ['L'] = "e lờ", ['M'] = "em mờ", ['N'] = "en nờ", ['O'] = "o", ['P'] = "pê", ['Q'] = "quy",
        ['R'] = "e rờ", ['S'] = "ét", ['T'] = "tê", ['U'] = "u", ['V'] = "vê", ['W'] = "vê kép", ['X'] = "ích", ['Y'] = "i dài", ['Z'] = "dét",
        ['-'] = "gạch ngang", ['.'] = "chấm", [' '] = "cách",
    };

    /// <summary>An amount in words, lower case, ending in "đồng".</summary>
    public static string Amount(long amount)
    {
        var words = VietnameseWords.Dong(amount);
        return char.ToLowerInvariant(words[0]) + words[1..];
    }

    /// <summary>A code read one character at a time: "KP12" → "ca, pê, một, hai".</summary>
    public static string Spell(string code)
    {
        var parts = new List<string>(code.Length);
        foreach (var c in code.ToUpperInvariant())
        {
            parts.Add(char.IsAsciiDigit(c) ? VietnameseWords.Number(c - '0') : s_letters.TryGetValue(c, out var name) ? name : c.ToString());
        }

        return string.Join(", ", parts);
    }

    /// <summary>What the QR screen says: the amount in words, the recipient and the account's last digits, the transfer text spelled, the check of the name.</summary>
    public static string Qr(long amount, string accountName, string accountNumber, string transferCode) =>
        Messages.Vi("terminal.speech.qr", Amount(amount), accountName, Spell(QrAccountGuard.LastDigits(accountNumber)), Spell(transferCode));

    /// <summary>The announcement of money received: "Đã nhận một trăm năm mươi nghìn đồng".</summary>
    public static string Announcement(long amount) => Messages.Vi("terminal.speech.announce", Amount(amount));

    // The prefix of the customer display's screen names (display.idle, display.awaiting...): not catalogue keys.
    private const string DisplayScreens = "display.";

    /// <summary>What a screen says. <paramref name="display"/> is what the customer display shows now (the QR's details come from it, not from the page).</summary>
    public static string? Screen(SpeechRequest request, DisplayScreen display)
    {
        // The customer display's screens come as "display." and its state (display.js); the kiosk's by their name.
        var onDisplay = request.Screen.StartsWith(DisplayScreens, StringComparison.Ordinal);
        var screen = onDisplay ? request.Screen[DisplayScreens.Length..] : request.Screen;
        if (onDisplay && screen is not ("awaiting" or "idle" or "confirmed" or "underpaid" or "expired" or "cancelled" or "refused"))
        {
            return null;
        }

        var text = new StringBuilder();
        switch (screen)
        {
            case "home":
                text.Append(Messages.Vi("terminal.speech.home"));
                break;
            case "payer" when request.Count is >= 0 and < 100 && request.Amount is >= 0:
                text.Append(Messages.Vi("terminal.speech.payer", request.Count.Value, Amount(request.Amount.Value)));
                break;
            case "pin":
                text.Append(Messages.Vi("terminal.speech.pin"));
                break;
            case "large" when request.Amount is > 0 && request.Threshold is > 0:
                text.Append(Messages.Vi("terminal.speech.large", Amount(request.Amount.Value), Amount(request.Threshold.Value)));
                break;
            case "qr" or "awaiting" when (screen == "qr" || onDisplay) && display is { State: "awaiting", AmountValue: { } due, AccountName: { } name, AccountNumber: { } number, TransferCode: { } code }:
                text.Append(Qr(due, name, number, code));
                break;
            case "done":
                text.Append(Messages.Vi("terminal.speech.done"));
                break;
            case "idle" when onDisplay:
                text.Append(Messages.Vi("terminal.speech.idle"));
                break;
            case "confirmed" when onDisplay:
                text.Append(Messages.Vi("terminal.speech.confirmed"));
                break;
            case "msg" or "qr":
                break;
            case "underpaid" or "expired" or "cancelled" or "refused" or "awaiting" when onDisplay:
                break;
            default:
                return null;
        }

        // The message screens: the catalogue texts they show, by key (kiosk. and display. only).
        foreach (var key in request.Keys ?? [])
        {
            if ((key.StartsWith("kiosk.", StringComparison.Ordinal) || key.StartsWith("display.", StringComparison.Ordinal)) && Messages.All.ContainsKey(key))
            {
                text.Append(text.Length > 0 ? " " : string.Empty).Append(Messages.Vi(key));
            }
        }

        if (onDisplay && display.Message is { Length: > 0 } message && screen != "awaiting")
        {
            text.Append(text.Length > 0 ? " " : string.Empty).Append(message);
        }

        return text.Length > 0 ? text.ToString() : Messages.Vi("terminal.speech.nothing");
    }
}

/// <summary>The body of <c>POST /api/v1/speech</c>: which screen to speak, and the numbers it shows.</summary>
/// <param name="Screen">home, payer, pin, large, qr, done, msg (the kiosk) or display.&lt;state&gt; (the customer display).</param>
/// <param name="Amount">The amount the screen shows (payer: the total; large: the transfer).</param>
/// <param name="Count">payer: how many bills are chosen.</param>
/// <param name="Threshold">large: the amount above which the bank app asks for the face.</param>
/// <param name="Keys">msg: the catalogue keys of the texts shown (at most 4).</param>
public sealed record SpeechRequest(string Screen, long? Amount = null, int? Count = null, long? Threshold = null, IReadOnlyList<string>? Keys = null);

/// <summary>What was spoken.</summary>
/// <param name="Text">The text given to the synthesiser.</param>
/// <param name="Seconds">How long it plays.</param>
public sealed record SpeechView(string Text, double Seconds);

/// <summary>What the kiosk needs to know of the province's settings for its aids.</summary>
/// <param name="LargeTransferAbove">Above this amount a VietQR payment gets the face-authentication notice first.</param>
public sealed record AccessSettingsView(long LargeTransferAbove);
