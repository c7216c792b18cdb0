using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using KioskPos.Core.Text;
using KioskPos.Tests.Shared;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// The terminal's screens as files (kiosk-app/KioskPos.Terminal/wwwroot): served from the executable at their old
/// addresses with their types, revalidated rather than kept stale; every text key a page or script names is in the
/// message catalogue, which the pages read from /api/v1/messages.
/// </summary>
public sealed partial class ScreenTests
{
    private static readonly string s_wwwroot = Path.Combine(RepositoryRoot.Find(), "kiosk-app", "KioskPos.Terminal", "wwwroot");

    [Fact]
    public async Task Pages_styles_scripts_and_the_catalogue_are_served_with_their_types_and_revalidated()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        foreach (var (path, type) in new[]
        {
            ("/kiosk", "text/html"), ("/counter", "text/html"), ("/display", "text/html"), ("/tech", "text/html"), ("/", "text/html"),
            ("/css/kioskpos.css", "text/css"), ("/js/i18n.js", "text/javascript"), ("/js/kiosk.js", "text/javascript"),
            ("/js/counter.js", "text/javascript"), ("/js/intent.js", "text/javascript"), ("/js/display.js", "text/javascript"), ("/js/tech.js", "text/javascript"),
            ("/api/v1/messages", "application/json"),
        })
        {
            using var response = await terminal.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
            if (path != "/")
            {
                Assert.True(response.Headers.CacheControl?.NoCache, path);
                Assert.NotNull(response.Headers.ETag);
                using var again = new HttpRequestMessage(HttpMethod.Get, path);
                again.Headers.IfNoneMatch.Add(response.Headers.ETag!);
                using var unchanged = await terminal.Http.SendAsync(again);
                Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
            }
        }

        // The template of the state page is drawn, never sent as it is.
        using (var raw = await terminal.Http.GetAsync("/status.html"))
        {
            Assert.Equal(HttpStatusCode.NotFound, raw.StatusCode);
        }

        var messages = await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/messages");
        Assert.Equal("Chạm thẻ học sinh hoặc nhập mã học sinh", messages.GetProperty("kiosk.tap").GetProperty("vi").GetString());
        Assert.False(messages.TryGetProperty("receipt.total", out _)); // the pages' texts only
    }

    [Fact]
    public void Every_text_key_a_page_or_script_names_is_in_the_catalogue()
    {
        var named = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(s_wwwroot, "*.*", SearchOption.AllDirectories).Where(f => f.EndsWith(".html", StringComparison.Ordinal) || f.EndsWith(".js", StringComparison.Ordinal)))
        {
            var text = File.ReadAllText(file);
            named.UnionWith(DataMsg().Matches(text).Select(m => m.Groups[1].Value));
            named.UnionWith(ScriptKey().Matches(text).Select(m => m.Groups[1].Value));
            named.UnionWith(TemplateKey().Matches(text).Select(m => m.Groups[1].Value));
        }

        Assert.Contains("kiosk.tap", named);
        Assert.Contains("counter.state.voided", named);
        Assert.Contains("terminal.status.sync", named);
        Assert.All(named, key => Assert.True(Messages.All.ContainsKey(key), $"'{key}' is named by a page but not in the catalogue"));
    }

    [Fact]
    public void No_markup_is_left_in_the_terminals_code()
    {
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepositoryRoot.Find(), "kiosk-app"), "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal)))
        {
            var text = File.ReadAllText(file);
            foreach (var tag in new[] { "<html", "<!doctype", "<body" })
            {
                Assert.False(text.Contains(tag, StringComparison.OrdinalIgnoreCase), $"{file} holds {tag}");
            }
        }
    }

    [GeneratedRegex("data-msg=\"([a-zA-Z0-9_]+\\.[a-zA-Z0-9_.]+)\"")]
    private static partial Regex DataMsg();

    [GeneratedRegex(@"'((?:kiosk|counter|display|tech|terminal|common)\.[a-zA-Z0-9_.]+)'")]
    private static partial Regex ScriptKey();

    [GeneratedRegex(@"\{\{(?:vi|both):([a-zA-Z0-9_.]+)\}\}")]
    private static partial Regex TemplateKey();
}
