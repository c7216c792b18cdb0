namespace KioskPos.Tests.Shared;

/// <summary>The repository the tests and benchmarks run from (scripts, profiles, the built programs).</summary>
internal static class RepositoryRoot
{
    /// <summary>The folder holding KioskPos.sln, above the running assembly.</summary>
    public static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "KioskPos.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"KioskPos.sln not found above {AppContext.BaseDirectory}.");
    }
}
