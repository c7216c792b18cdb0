using Microsoft.Playwright;

namespace KioskPos.Tests.Shared;

/// <summary>
/// What a page shows a person, read in the browser for the project's rule "Vietnamese first, English available". Data
/// (names, bill titles from institutions, addresses) is marked in the markup with <c>data-data</c> and not read, nor is
/// a text marked <c>lang="vi"</c> below the page's root (the kiosk's switch back to "Tiếng Việt"); the rest is every
/// visible text node, the visible fields' placeholders and the tab's title. Vietnamese is told by its
/// letters: ă â đ ê ô ơ ư and the tone-marked vowels, which English never writes.
/// </summary>
internal static class Wording
{
    // Shared by both checks: the visible texts outside data, each with its "unit" (the nearest element that is not a
    // plain inline span: a cell, a button, a label, a heading, a paragraph), that unit's text without its data.
    private const string Texts = """
        () => {
          const vietnamese = /[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]/i;
          const inline = new Set(['SPAN', 'B', 'I', 'EM', 'STRONG', 'SMALL', 'CODE', 'ABBR', 'TIME', 'BDI']);
          // Data, or a text marked Vietnamese on purpose (lang="vi" below the page's root: the language switch's "Tiếng Việt").
          const data = (el) => el.closest('[data-data]') !== null || (el.closest('[lang]') !== document.documentElement && el.closest('[lang]')?.lang === 'vi');
          const visible = (el) => {
            const select = el.closest('select');
            if (select && el !== select) { return select.value === (el.value ?? '') && el.tagName === 'OPTION' && visible(select); }
            return el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true }) && el.getClientRects().length > 0;
          };
          const unitOf = (el) => { let u = el; while (u.parentElement && inline.has(u.tagName)) { u = u.parentElement; } return u; };
          const textWithoutData = (el) => {
            let text = '';
            const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
            for (let n = walk.nextNode(); n; n = walk.nextNode()) { if (!data(n.parentElement)) { text += n.data; } }
            return text.replace(/\s+/g, ' ').trim();
          };
          const found = [];
          const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          for (let n = walk.nextNode(); n; n = walk.nextNode()) {
            const el = n.parentElement;
            if (!el || ['SCRIPT', 'STYLE', 'TEMPLATE', 'NOSCRIPT'].includes(el.tagName) || data(el) || !visible(el) || !n.data.trim()) { continue; }
            const unit = unitOf(el);
            found.push({ text: n.data.replace(/\s+/g, ' ').trim(), unit: textWithoutData(unit), english: [...unit.querySelectorAll('[lang=en]')].some((e) => /[A-Za-z]{2}/.test(e.textContent)) });
          }
          for (const input of document.querySelectorAll('input[placeholder], textarea[placeholder]')) {
            if (!data(input) && visible(input) && input.placeholder.trim()) { found.push({ text: input.placeholder, unit: input.placeholder, english: false }); }
          }
          found.push({ text: document.title, unit: document.title, english: false });
          return found.filter((f) => vietnamese.test(f.text)).map((f) => ({ text: f.text, unit: f.unit, english: f.english }));
        }
        """;

    /// <summary>
    /// On a page shown in English: every visible text outside data that holds Vietnamese (the page's language did not
    /// reach it). Empty when the page is English throughout.
    /// </summary>
    public static async Task<string[]> VietnameseAsync(IPage page) =>
        (await page.EvaluateAsync<Found[]>(Texts)).Select(f => f.Text).Distinct().ToArray();

    /// <summary>
    /// On a page that shows both languages side by side ("Vietnamese / English", as the counter, the technician's page
    /// and the province's pages do): every visible text outside data that holds Vietnamese with no English beside it —
    /// its unit (the cell, button, label, heading or paragraph holding it) neither ends in " / English" (the text after
    /// its last " / " has letters and no Vietnamese; a date's 08/12 is no separator) nor holds an element marked lang="en". Empty when all is in both.
    /// </summary>
    public static async Task<string[]> VietnameseOnlyAsync(IPage page) =>
        (await page.EvaluateAsync<Found[]>(Texts)).Where(f => !f.English && !EndsInEnglish(f.Unit)).Select(f => f.Unit).Distinct().ToArray();

    /// <summary>True when the text after the last " / " has Latin letters and no Vietnamese: "Số dư / Balance".</summary>
    private static bool EndsInEnglish(string unit)
    {
        var slash = unit.LastIndexOf(" / ", StringComparison.Ordinal);
        if (slash < 0)
        {
            return false;
        }

        var after = unit[(slash + 3)..];
        return after.Count(char.IsAsciiLetter) >= 2 && !after.Any(IsVietnameseLetter);
    }

    /// <summary>A letter only Vietnamese writes (as the page's check: ă â đ ê ô ơ ư, the tone-marked vowels).</summary>
    public static bool IsVietnameseLetter(char c) =>
        "ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ".Contains(char.ToLowerInvariant(c), StringComparison.Ordinal);

    /// <summary>Fails naming every text found, one a line, when there is any.</summary>
    public static void AssertNone(string[] found, string what) =>
        Assert.True(found.Length == 0, $"{what}:\n" + string.Join("\n", found));

    // Settable properties: Playwright fills a result's type through its parameterless constructor.
    private sealed class Found
    {
        public string Text { get; set; } = string.Empty;

        public string Unit { get; set; } = string.Empty;

        public bool English { get; set; }
    }
}
