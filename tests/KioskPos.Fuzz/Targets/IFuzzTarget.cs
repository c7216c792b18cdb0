namespace KioskPos.Fuzz.Targets;

/// <summary>
/// One parser of outside input under the fuzzer. <see cref="Run"/> hands it one input the way the input reaches it
/// in production and returns normally whatever the input is: the parser's documented refusals (its own exception
/// type, a false TryX, an error list) are caught here; anything else that escapes is a finding.
/// </summary>
internal interface IFuzzTarget
{
    /// <summary>The name on the command line and of the seed corpus folder, <c>Corpus/&lt;name&gt;/</c>.</summary>
    string Name { get; }

    /// <summary>Which code it exercises, for the listing.</summary>
    string Parser { get; }

    /// <summary>Runs one input; throws <see cref="FuzzFinding"/> when an invariant breaks.</summary>
    void Run(ReadOnlySpan<byte> input);
}

/// <summary>An invariant of a target broke (the parser returned something it must never return).</summary>
internal sealed class FuzzFinding(string message) : Exception(message);
