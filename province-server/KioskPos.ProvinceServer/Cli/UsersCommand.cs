using System.CommandLine;
using System.Text;
using KioskPos.Core.Text;
using KioskPos.ProvinceServer.Data;

namespace KioskPos.ProvinceServer.Cli;

/// <summary>
/// <c>kioskpos-province users add-admin &lt;username&gt; --full-name "…" [--another]</c>: the first administrator of a
/// server that has none (a server on shipped settings has no user and no default password). The password is read from
/// standard input, never the command line (visible to everyone in <c>ps</c>); the database is the one the server's
/// configuration names (the same <c>--Province:Key=value</c>, environment and settings file).
/// </summary>
internal static class UsersCommand
{
    public static Command Create()
    {
        var username = new Argument<string>("username") { Description = "The login: 3 to 64 letters, digits, '.', '-' or '_'" };
        var fullName = new Option<string?>("--full-name") { Description = "The person's name as pages show it" };
        var another = new Option<bool>("--another") { Description = "Add an administrator although one exists (normally an administrator adds people at /api/v1/admin/users)" };
        var addAdmin = new Command("add-admin", "Create a province administrator; the password (10 to 128 characters) is read from standard input")
        {
            username, fullName, another,
        };
        addAdmin.TreatUnmatchedTokensAsErrors = false;
        addAdmin.SetAction((parse, ct) => AddAdminAsync(parse.GetValue(username)!, parse.GetValue(fullName), parse.GetValue(another), [.. parse.UnmatchedTokens], Console.In, ct));
        return new Command("users", "People who sign in to the province server") { addAdmin };
    }

    /// <summary>Creates the administrator; 0 when created, 2 when refused (what was wrong on standard error).</summary>
    public static async Task<int> AddAdminAsync(string username, string? fullName, bool another, string[] configuration, TextReader input, CancellationToken cancellationToken)
    {
        if (username.Length is < 3 or > 64 || !username.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
        {
            Console.Error.WriteLine(Messages.Both("cli.province.bad_username"));
            return 2;
        }

        if (string.IsNullOrWhiteSpace(fullName))
        {
            Console.Error.WriteLine(Messages.Both("cli.province.full_name_required"));
            return 2;
        }

        var password = ReadPassword(input);
        if (password is null)
        {
            Console.Error.WriteLine(Messages.Both("cli.province.password_mismatch"));
            return 2;
        }

        if (!IsStrongEnough(password, username))
        {
            Console.Error.WriteLine(Messages.Both("cli.province.weak_password"));
            return 2;
        }

        await using var app = ProvinceApp.Build(configuration);
        var database = app.Services.GetRequiredService<ProvinceDatabase>();
        await database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        var outcome = await app.Services.GetRequiredService<ProvinceUsers>().AddAdminAsync(username, fullName.Trim(), password, another, cancellationToken).ConfigureAwait(false);
        switch (outcome)
        {
            case AddAdminOutcome.Created:
                Console.WriteLine(Messages.Both("cli.province.admin_created", username));
                return 0;
            case AddAdminOutcome.AdminExists:
                Console.Error.WriteLine(Messages.Both("cli.province.admin_exists"));
                return 2;
            default:
                Console.Error.WriteLine(Messages.Both("cli.province.username_taken", username));
                return 2;
        }
    }

    /// <summary>10 to 128 characters, not the username (the same rule as the admin API's).</summary>
    public static bool IsStrongEnough(string password, string username) =>
        password.Length is >= 10 and <= 128 && !string.Equals(password, username, StringComparison.OrdinalIgnoreCase);

    // Piped: the first line. At a terminal: typed twice without echo; null when the two differ.
    private static string? ReadPassword(TextReader input)
    {
        if (Console.IsInputRedirected || !ReferenceEquals(input, Console.In))
        {
            return input.ReadLine() ?? string.Empty;
        }

        var first = Prompt(Messages.Both("cli.province.password_prompt"));
        var second = Prompt(Messages.Both("cli.province.password_again"));
        return first == second ? first : null;
    }

    private static string Prompt(string label)
    {
        Console.Error.Write(label + ": ");
        var text = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                Console.Error.WriteLine();
                return text.ToString();
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                text.Length = Math.Max(0, text.Length - 1);
            }
            else if (!char.IsControl(key.KeyChar))
            {
                text.Append(key.KeyChar);
            }
        }
    }
}
