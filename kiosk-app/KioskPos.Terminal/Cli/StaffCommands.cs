using System.CommandLine;
using KioskPos.Storage;
using KioskPos.Core.Text;

namespace KioskPos.Terminal.Cli;

/// <summary><c>kioskpos-terminal staff add</c>: a technician adds the people who work the terminal.</summary>
internal static class StaffCommands
{
    public static Command Create(Option<string> data)
    {
        var id = new Option<string>("--id") { Description = "Staff id (letters, digits, - or _), printed on slips", Required = true };
        var name = new Option<string>("--name") { Description = "Full name", Required = true };
        var role = new Option<string>("--role") { Description = "cashier, supervisor or technician", Required = true };
        var add = new Command("add", "Add a member of staff, or change their name, role and PIN; the PIN (6 to 8 digits) is read from standard input, so it stays out of the shell's history") { id, name, role, data };
        add.SetAction(async (parse, ct) =>
        {
            if (!Enum.TryParse<StaffRole>(parse.GetValue(role), ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
            {
                Console.Error.WriteLine(Messages.Both("cli.staff.unknown_role", parse.GetValue(role)));
                return 2;
            }

            var pin = (await Console.In.ReadLineAsync(ct).ConfigureAwait(false))?.Trim();
            if (!StaffStore.IsValidStaffPin(pin))
            {
                Console.Error.WriteLine(Messages.Both("cli.staff.pin_format"));
                return 2;
            }

            var folder = parse.GetValue(data)!;
            Directory.CreateDirectory(folder);
            var database = TerminalSchema.Open(Path.Combine(folder, "terminal.db"));
            await database.MigrateAsync(ct).ConfigureAwait(false);
            try
            {
                await new StaffStore(database, TimeProvider.System).AddOrUpdateAsync(parse.GetValue(id)!, parse.GetValue(name)!, parsed, pin!, ct).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine(Messages.Both("cli.staff.not_added", e.Message));
                return 2;
            }

            Console.WriteLine(Messages.Both("cli.staff.saved", parse.GetValue(id), StaffStore.RoleName(parsed)));
            return 0;
        });
        return new Command("staff", "The people who work this terminal") { add };
    }
}
