using Shouldly;

namespace Ibex.Tests.Schema;

/// <summary>Assertions on scripts that show the whole script when they fail.</summary>
public static class ScriptAssertions
{
    public static void ShouldHave(this string script, string expected)
        => script.ShouldContain(expected, Case.Sensitive, $"script:\n{script}");

    public static void ShouldNotHave(this string script, string unexpected)
        => script.ShouldNotContain(unexpected, Case.Sensitive, $"script:\n{script}");
}
