namespace KioskPos.Core.Domain;

/// <summary>Reading an enum back from the wire name its <c>WireName</c> extension writes.</summary>
internal static class WireNames
{
    /// <summary>The member whose wire name is <paramref name="name"/>, if one is.</summary>
    public static bool TryParse<T>(string? name, Func<T, string> wireName, out T value)
        where T : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<T>())
        {
            if (wireName(candidate) == name)
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }
}
