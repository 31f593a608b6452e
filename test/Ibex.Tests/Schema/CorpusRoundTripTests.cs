using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Schema;

/// <summary>
/// The round-trip property over the corpus: for schemas A and B, the diff from B to A applied to A makes A's
/// schema equal B's (a second diff prints nothing, pg_dump agrees), the same the other way round, and B is
/// created from nothing in an empty database (with its grants).
/// </summary>
public class CorpusRoundTripTests(SharedClusters clusters)
{
    public static TheoryData<string> Cases() => [.. CorpusCase.All()];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Round_trips_both_ways(string name)
    {
        var c = CorpusCase.Load(name);
        // Across shared servers 0 and 1 (different versions in the mixed-version CI runs): B and the second B on
        // server 1, so the forward diff and the one from nothing go from server 1 to 0, the reverse from 0 to 1.
        await using var kit = await SchemaTestKit.AcrossAsync(clusters);
        var dbs = await Task.WhenAll(new[] { 0, 1, 0, 1, 0 }.Select(kit.CreateDatabaseAsync));
        var (a1, b1, a2, b2, empty) = (dbs[0], dbs[1], dbs[2], dbs[3], dbs[4]);
        await Task.WhenAll(kit.PsqlAsync(a1, c.A), kit.PsqlAsync(b1, c.B), kit.PsqlAsync(a2, c.A), kit.PsqlAsync(b2, c.B));

        // The three runs touch different databases, so they run side by side (b1 is only read by two of them).
        var forwardTask = kit.RoundTripAsync(b1, a1, c.Arguments);
        var reverseTask = kit.RoundTripAsync(a2, b2, c.Arguments);
        // From nothing, grants are compared too: pg_dump shows them whether or not the case compares them.
        var fromNothingTask = kit.RoundTripAsync(b1, empty, [.. c.Arguments.Append("--with-privileges").Distinct(StringComparer.Ordinal)]);
        await Task.WhenAll(forwardTask, reverseTask, fromNothingTask);
        var (forward, reverse) = (await forwardTask, await reverseTask);

        forward.ShouldNotBeEmpty("A and B of a corpus case should differ");
        foreach (var line in c.ForwardExpect)
            forward.ShouldContain(line, Case.Sensitive, $"script turning A into B:\n{forward}");
        foreach (var line in c.ReverseExpect)
            reverse.ShouldContain(line, Case.Sensitive, $"script turning B into A:\n{reverse}");
    }
}
