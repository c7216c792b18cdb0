using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace KioskPos.Shared.Sqlite;

/// <summary>
/// Reads forward-only migrations kept as SQL files embedded in an assembly: one file a step, named
/// <c>NNNN_what-it-does.sql</c> (the number is the schema version after the step, the rest its recorded name with
/// dashes or underscores for spaces). A database engine has its own folder, so each engine's SQL is read as written.
/// </summary>
public static partial class MigrationFiles
{
    /// <summary>
    /// The steps embedded in <paramref name="assembly"/> under the resource prefix <paramref name="resourcePrefix"/>
    /// (e.g. <c>KioskPos.Storage.Migrations.</c>), ordered by version; a missing or doubled number is an error.
    /// </summary>
    public static IReadOnlyList<Migration> Load(Assembly assembly, string resourcePrefix)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var steps = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(resourcePrefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal)))
        {
            var file = resource[resourcePrefix.Length..^".sql".Length];
            var match = FileName().Match(file);
            if (!match.Success)
            {
                throw new InvalidDataException($"Migration resource '{resource}' is not named NNNN_name.sql.");
            }

            using var stream = assembly.GetManifestResourceStream(resource) ?? throw new InvalidOperationException($"Resource {resource} vanished.");
            using var reader = new StreamReader(stream);
            var name = match.Groups["name"].Value.Replace('_', ' ').Replace('-', ' ');
            steps.Add(new Migration(int.Parse(match.Groups["version"].Value, CultureInfo.InvariantCulture), name, reader.ReadToEnd()));
        }

        steps.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 1; i < steps.Count; i++)
        {
            if (steps[i].Version == steps[i - 1].Version)
            {
                throw new InvalidDataException($"Two migrations under '{resourcePrefix}' have version {steps[i].Version}.");
            }
        }

        return steps;
    }

    [GeneratedRegex(@"^(?<version>\d{4})_(?<name>.+)$", RegexOptions.CultureInvariant)]
    private static partial Regex FileName();
}
