using Ibex.Catalog;
using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Fidelity;

/// <summary>
/// A target column may have another type than the source's when it takes every source value unchanged (varchar into
/// text, integer into bigint, varchar(10) into varchar(20)); only what would lose or corrupt data is refused, naming
/// the column and why.
/// </summary>
public class TypeMatchingTests(SharedClusters clusters)
{
    static string SyncName(Scenario s, string prefix) => prefix + s.Id.Replace("_", "", StringComparison.Ordinal);

    [Theory]
    [InlineData("character varying", "text")]
    [InlineData("character varying(10)", "text")]
    [InlineData("character varying(10)", "character varying(20)")]
    [InlineData("character varying(10)", "character varying")]
    [InlineData("character(5)", "character varying(5)")]
    [InlineData("character(5)", "character(8)")]
    [InlineData("text", "character varying")]
    [InlineData("integer", "bigint")]
    [InlineData("smallint", "integer")]
    [InlineData("smallint", "bigint")]
    [InlineData("integer", "numeric")]
    [InlineData("integer", "numeric(12,2)")]
    [InlineData("bigint", "numeric(19,0)")]
    [InlineData("integer", "double precision")]
    [InlineData("real", "double precision")]
    [InlineData("numeric(10,2)", "numeric(12,4)")]
    [InlineData("numeric(10,2)", "numeric")]
    [InlineData("integer[]", "bigint[]")]
    [InlineData("character varying(10)[]", "text[]")]
    [InlineData("timestamp(3) without time zone", "timestamp without time zone")]
    [InlineData("timestamp(3) with time zone", "timestamp(6) with time zone")]
    [InlineData("date", "timestamp without time zone")]
    [InlineData("bit(8)", "bit varying")]
    [InlineData("bit varying(8)", "bit varying(10)")]
    [InlineData("cidr", "inet")]
    [InlineData("jsonb", "json")]
    [InlineData("uuid", "text")]
    [InlineData("public.mood", "text")]
    [InlineData("public.mood", "public.mood")]
    [InlineData("interval(3)", "interval")]
    [InlineData("interval day to second", "interval")]
    public void A_target_type_that_takes_every_source_value_is_accepted(string source, string target)
        => TypeCompatibility.Refusal(source, target).ShouldBeNull();

    [Theory]
    [InlineData("bigint", "integer", "may not fit")]
    [InlineData("integer", "smallint", "may not fit")]
    [InlineData("text", "character varying(10)", "longer than 10")]
    [InlineData("character varying(20)", "character varying(10)", "longer than 10")]
    [InlineData("character varying(5)", "character(5)", "trailing spaces")]
    [InlineData("numeric(10,2)", "numeric(5,1)", "decimal")]
    [InlineData("numeric(10,2)", "numeric(6,2)", "integer digits")]
    [InlineData("numeric", "numeric(10,2)", "round")]
    [InlineData("bigint", "double precision", "round")]
    [InlineData("double precision", "real", "round")]
    [InlineData("numeric", "double precision", "round")]
    [InlineData("timestamp with time zone", "timestamp without time zone", "time zone")]
    [InlineData("timestamp without time zone", "timestamp with time zone", "time zone")]
    [InlineData("timestamp without time zone", "timestamp(0) without time zone", "round")]
    [InlineData("json", "jsonb", "duplicate keys")]
    [InlineData("text", "integer", "not every")]
    [InlineData("integer[]", "integer", "array")]
    [InlineData("bigint[]", "integer[]", "may not fit")]
    [InlineData("public.mood", "public.other", "not every")]
    [InlineData("bit varying", "bit(8)", "not every")]
    [InlineData("interval", "interval year to month", "not every")]
    public void A_target_type_that_would_lose_or_corrupt_values_is_refused_with_the_reason(string source, string target, string reason)
        => TypeCompatibility.Refusal(source, target).ShouldNotBeNull().ShouldContain(reason);

    [Fact]
    public async Task Wider_target_types_are_accepted_and_rows_arrive_through_copy_and_stream()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        var sync = SyncName(s, "tw");
        await s.ExecAsync("src", "CREATE TABLE widen (id int PRIMARY KEY, v varchar(10), n int, w varchar(10), d numeric(10,2), ts timestamp(3), arr int[], s smallint)");
        await s.ExecAsync("dst", "CREATE TABLE widen (id bigint PRIMARY KEY, v text, n bigint, w varchar(20), d numeric, ts timestamp, arr bigint[], s integer)");
        await s.ExecAsync("src", "INSERT INTO widen SELECT g, 'v' || g, g * 1000, 'w', g + 0.25, '2026-01-02 03:04:05.678', ARRAY[g, 2147483647], -32768 FROM generate_series(1, 20) g");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", sync, "--tables", "public.widen", "--source", "src", "--target", "dst")).ShouldSucceed();
        s.StartDaemon();
        await s.WaitAsync(sync);
        await s.ShouldMatchAsync("widen", "1", "src", "dst");

        await s.ExecAsync("src", """
            INSERT INTO widen VALUES (100, '0123456789', 2147483647, 'ten chars!', 99999999.99, '1999-12-31 23:59:59.999', '{}', 32767);
            UPDATE widen SET v = 'updated', n = -2147483648 WHERE id = 1;
            UPDATE widen SET id = 200 WHERE id = 2;
            DELETE FROM widen WHERE id = 3;
            """);
        await s.WaitAsync(sync);
        await s.ShouldMatchAsync("widen", "1", "src", "dst");
        (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM widen")).ShouldBe(20);
    }

    [Fact]
    public async Task Narrower_target_types_are_refused_naming_each_column_and_why()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        var sync = SyncName(s, "tn");
        await s.ExecAsync("src", "CREATE TABLE narrow (id bigint PRIMARY KEY, v text, d numeric(10,2), tz timestamptz, ok varchar(5))");
        await s.ExecAsync("dst", "CREATE TABLE narrow (id int PRIMARY KEY, v varchar(10), d numeric(5,1), tz timestamp, ok text)");
        await s.AddNodesAsync();
        var r = await s.Ibex("sync", "add", sync, "--tables", "public.narrow", "--source", "src", "--target", "dst");
        r.ShouldFail("column id is integer here but bigint on the source");
        r.Error.ShouldContain("may not fit");
        r.Error.ShouldContain("column v is character varying(10) here but text on the source");
        r.Error.ShouldContain("longer than 10");
        r.Error.ShouldContain("column d is numeric(5,1)");
        r.Error.ShouldContain("column tz is timestamp without time zone");
        r.Error.ShouldNotContain("column ok");
        (await s.ScalarAsync<long>("src", "SELECT count(*) FROM pg_publication")).ShouldBe(0);
    }
}
