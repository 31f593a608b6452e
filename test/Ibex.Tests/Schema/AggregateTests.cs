using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Schema;

/// <summary>User-defined aggregates (issue 12, finding 6): views that call them must be recreated.</summary>
public class AggregateTests(SharedClusters clusters)
{
    [Fact]
    public async Task A_sample_database_whose_views_use_its_group_concat_aggregate_is_recreated()
    {
        await using var kit = new SchemaTestKit(await clusters.GetAsync(0));
        var (source, empty) = (await kit.CreateDatabaseAsync(), await kit.CreateDatabaseAsync());
        await kit.PsqlAsync(source, """
            CREATE TABLE film (id int PRIMARY KEY, title text NOT NULL);
            CREATE TABLE actor (id int PRIMARY KEY, name text NOT NULL);
            CREATE TABLE film_actor (film_id int REFERENCES film, actor_id int REFERENCES actor, PRIMARY KEY (film_id, actor_id));
            CREATE FUNCTION _group_concat(text, text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
              SELECT CASE WHEN $2 IS NULL THEN $1 WHEN $1 IS NULL THEN $2 ELSE $1 || ', ' || $2 END $$;
            CREATE AGGREGATE group_concat(text) (SFUNC = _group_concat, STYPE = text);
            CREATE VIEW film_list AS
              SELECT f.id, f.title, group_concat(a.name) AS actors
              FROM film f LEFT JOIN film_actor fa ON fa.film_id = f.id LEFT JOIN actor a ON a.id = fa.actor_id
              GROUP BY f.id, f.title;
            """);

        var script = await kit.RoundTripAsync(source, empty);

        script.ShouldHave("CREATE AGGREGATE \"public\".\"group_concat\"(text) (SFUNC = \"public\".\"_group_concat\", STYPE = text);");
        script.IndexOf("CREATE AGGREGATE", StringComparison.Ordinal).ShouldBeLessThan(script.IndexOf("CREATE VIEW \"public\".\"film_list\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_aggregate_that_goes_away_is_dropped_after_the_views_that_use_it()
    {
        await using var kit = new SchemaTestKit(await clusters.GetAsync(0));
        var (source, target) = (await kit.CreateDatabaseAsync(), await kit.CreateDatabaseAsync());
        await Task.WhenAll(
            kit.PsqlAsync(source, "CREATE TABLE t (v text);"),
            kit.PsqlAsync(target, """
                CREATE TABLE t (v text);
                CREATE AGGREGATE longest(text) (SFUNC = text_larger, STYPE = text);
                CREATE VIEW v AS SELECT longest(v) AS l FROM t;
                """));

        var script = await kit.RoundTripAsync(source, target);

        script.ShouldHave("DROP AGGREGATE \"public\".\"longest\"(text);");
        script.IndexOf("DROP VIEW", StringComparison.Ordinal).ShouldBeLessThan(script.IndexOf("DROP AGGREGATE", StringComparison.Ordinal));
    }
}
