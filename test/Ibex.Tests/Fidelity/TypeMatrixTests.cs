using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Fidelity;

/// <summary>
/// The type matrix (<see cref="TypeCases"/>), each type checked after one shared run (<see cref="TypeMatrixRun"/>):
/// its table holds the same rows on both nodes after the initial copy, INSERT, UPDATE, key change and DELETE, one-way
/// and multi-master (where both nodes also updated the same row at once and the later update won on both).
/// </summary>
public class TypeMatrixTests(TypeMatrixRun run) : IClassFixture<TypeMatrixRun>
{
    public static TheoryData<string> Types => [.. TypeCases.All.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Types))]
    public async Task One_way(string type)
    {
        var c = TypeCases.Get(type);
        var s = run.OneWay;
        await s.ShouldMatchAsync(c.Table, "1", "src", "dst");
        (await s.ScalarAsync<long>("dst", $"SELECT count(*) FROM {c.Table}")).ShouldBe(c.FinalRows);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public async Task Multi_master(string type)
    {
        var c = TypeCases.Get(type);
        var s = run.MultiMaster;
        await s.ShouldMatchAsync(c.Table, "1", "a", "b");
        (await s.ScalarAsync<long>("a", $"SELECT count(*) FROM {c.Table}")).ShouldBe(c.FinalRows);
        (await s.ScalarAsync<string>("a", c.Conflicted)).ShouldBe(await s.ScalarAsync<string>("a", c.Written(later: true)), "the later of two conflicting updates wins");
    }

    [Fact]
    public async Task Generated_columns_are_computed_by_the_target_and_identity_columns_take_the_source_values()
    {
        var s = run.OneWay;
        (await s.QueryRowsAsync("dst", "SELECT id, a, g FROM tm_generated")).ShouldBe(["(1,1,3)", "(2,20,60)", "(3,3,9)"]);
        await s.ShouldMatchAsync("tm_identity_always", "1", "src", "dst");
        await s.ShouldMatchAsync("tm_identity_default", "1", "src", "dst");
        (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM tm_identity_always")).ShouldBe(3);

        var m = run.MultiMaster;
        foreach (var table in new[] { "tm_generated", "tm_identity_always", "tm_identity_default" })
            await m.ShouldMatchAsync(table, "1", "a", "b");
        (await m.QueryRowsAsync("b", "SELECT id, a, g FROM tm_generated")).ShouldBe(["(1,1,2)", "(2,20,40)", "(3,3,6)"]);
        (await m.ScalarAsync<long>("a", "SELECT count(*) FROM tm_identity_default")).ShouldBe(3);
        (await m.ScalarAsync<string>("a", "SELECT a FROM tm_identity_always WHERE id = 50")).ShouldBe("b side", "the later of two inserts of one key wins, also into a GENERATED ALWAYS identity key");
    }
}
