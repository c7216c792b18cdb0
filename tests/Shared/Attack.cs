using System.Runtime.CompilerServices;

namespace KioskPos.Tests.Shared;

/// <summary>
/// Marks a test of the attack suite (issue 18): what the attacker does and the refusal the test expects. Put it with
/// <c>[Fact]</c> and <c>[Trait("Category", "Attack")]</c>; <c>make attack</c> runs that category and prints a table of
/// attack, expected refusal and result from these attributes and the test results (<c>scripts/attack-table.py</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
internal sealed class AttackAttribute(string attack, string refusal) : Attribute
{
    /// <summary>What the attacker does, in a line.</summary>
    public string Attack { get; } = attack;

    /// <summary>What the system answers when it holds.</summary>
    public string Refusal { get; } = refusal;
}

/// <summary>What an attack test measured (bytes the database grew, peak memory), printed in the attack table.</summary>
internal static class AttackReport
{
    /// <summary>Records a measurement for the table under the calling test's class and method.</summary>
    public static void Measured(object test, string text, [CallerMemberName] string method = "")
    {
        var folder = Path.Combine(RepositoryRoot.Find(), "artifacts", "attack");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, $"{test.GetType().FullName}.{method}.txt"), text);
    }
}
