using KioskPos.ProvinceServer.Imports;

namespace KioskPos.Fuzz.Targets;

/// <summary>
/// A hospital's file in the Ministry of Health's XML standard (QĐ 130/4750, <c>GIAMDINHHS</c>) as the import reads it
/// (<see cref="MohXmlReader.Read"/>): tables in base64, as elements or as escaped text. Whatever the bytes, the
/// reader returns episodes and errors, never an exception; every error says what and where; no more episodes than
/// the bound.
/// </summary>
internal sealed class HospitalXmlTarget : IFuzzTarget
{
    private const int MaxEpisodes = 50;

    public string Name => "moh-xml";

    public string Parser => "MohXmlReader.Read (GIAMDINHHS, FILEHOSO tables XML1/XML2/XML3 in each packing)";

    public void Run(ReadOnlySpan<byte> input)
    {
        using var stream = new MemoryStream(input.ToArray(), writable: false);
        var (episodes, errors) = MohXmlReader.Read(stream, MaxEpisodes);
        if (episodes.Count > MaxEpisodes)
        {
            throw new FuzzFinding($"{episodes.Count} episodes read past the bound of {MaxEpisodes}");
        }

        if (errors.Any(e => string.IsNullOrWhiteSpace(e.Message) || e.Line < 0))
        {
            throw new FuzzFinding("an error without a message or with a negative line");
        }
    }
}
