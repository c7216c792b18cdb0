namespace KioskPos.Tests.Shared;

/// <summary>Reading a live SQLite database's files from a test, while the program under test still has them open.</summary>
internal static class DatabaseFiles
{
    /// <summary>
    /// The bytes of <paramref name="path"/>, read without locking out the program; SQLite removes <c>-wal</c> and
    /// <c>-shm</c> when its last connection closes, so a file gone between the listing and the read counts as empty.
    /// </summary>
    public static async Task<byte[]> ReadSharedAsync(string path)
    {
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var memory = new MemoryStream();
            await stream.CopyToAsync(memory);
            return memory.ToArray();
        }
        catch (FileNotFoundException)
        {
            return [];
        }
    }

    /// <summary>The size of <paramref name="path"/> now, 0 when it is gone.</summary>
    public static long Length(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? info.Length : 0;
    }
}
