using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Schema;

/// <summary>
/// The round-trip property over the corpus: for schemas A and B, the diff from B to A applied to A makes A's
/// schema equal B's (a second diff prints nothing, pg_dump agrees), and the same the other way round.
/// </summary>
public class CorpusRoundTripTests(SharedClusters clusters)
{
    public static TheoryData<string> Cases() => [.. CorpusCase.All()];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Round_trips_both_ways(string name)
    {
        var c = CorpusCase.Load(name);
        await using var kit = new SchemaTestKit(await clusters.GetAsync(0));
        var dbs = await Task.WhenAll(kit.CreateDatabaseAsync(), kit.CreateDatabaseAsync(), kit.CreateDatabaseAsync());
        var (a1, b, a2) = (dbs[0], dbs[1], dbs[2]);
        await Task.WhenAll(kit.PsqlAsync(a1, c.A), kit.PsqlAsync(b, c.B), kit.PsqlAsync(a2, c.A));

        var forward = await kit.RoundTripAsync(b, a1, c.Arguments);
        forward.ShouldNotBeEmpty("A and B of a corpus case should differ");
        foreach (var line in c.ForwardExpect)
            forward.ShouldContain(line, Case.Sensitive, $"script turning A into B:\n{forward}");

        var reverse = await kit.RoundTripAsync(a2, b, c.Arguments);
        foreach (var line in c.ReverseExpect)
            reverse.ShouldContain(line, Case.Sensitive, $"script turning B into A:\n{reverse}");
    }
}
