using System.Text.Json;
using KioskPos.Terminal.Apis;
using KioskPos.Core.Text;

namespace KioskPos.Terminal.Services;

/// <summary>
/// The hardware profile the province pushed, as this run found it at start: <paramref name="Running"/> its name
/// when the terminal runs it; <paramref name="Failed"/> its name and <paramref name="Problem"/> why when it could
/// not start here (the terminal then runs its own).
/// </summary>
public sealed record PushedProfileState(string Path, string? Running, string? Failed, string? Problem)
{
    /// <summary>The line /tech shows: none, running, waiting for a restart, or why it cannot start.</summary>
    public static SettingView View(PushedProfileState state)
    {
        string? pending = null;
        try
        {
            if (File.Exists(state.Path))
            {
                using var document = JsonDocument.Parse(File.ReadAllText(state.Path));
                pending = document.RootElement.TryGetProperty("name", out var name) ? name.GetString() : "?";
            }
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            pending = "?";
        }

        var text = pending switch
        {
            null when state.Running is null => Messages.Both("terminal.service.profile.none"),
            null => Messages.Both("terminal.service.profile.cleared", state.Running),
            _ when pending == state.Running => Messages.Both("terminal.service.profile.running", pending),
            _ when pending == state.Failed => Messages.Both("terminal.service.profile.failed", pending, state.Problem),
            _ => Messages.Both("terminal.service.profile.restart", pending),
        };
        return new SettingView("ProvinceProfile", text);
    }
}
