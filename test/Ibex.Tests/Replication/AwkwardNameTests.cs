using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Replication;

public class AwkwardNameTests(SharedClusters clusters)
{
    [Fact]
    public async Task Mixed_case_spaces_reserved_words_and_unicode_names_replicate()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        await s.ExecAllAsync("""
            CREATE SCHEMA "Sales";
            CREATE TABLE "Sales"."Order Items" ("select" int PRIMARY KEY, "From" text, "quo""te" text);
            CREATE SCHEMA "Ünïcødé";
            CREATE TABLE "Ünïcødé"."名前表" ("名前" text PRIMARY KEY, "ünïcødé col" int);
            """);
        await s.ExecAsync("src", """INSERT INTO "Sales"."Order Items" VALUES (1, 'a', 'b'); INSERT INTO "Ünïcødé"."名前表" VALUES ('一', 1);""");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", "odd", "--tables", "\"Sales\".\"Order Items\"", "--tables", "\"Ünïcødé\".*", "--source", "src", "--target", "dst")).ShouldSucceed();
        s.StartDaemon();
        await s.WaitAsync("odd");
        await s.ExecAsync("src", """
            INSERT INTO "Sales"."Order Items" SELECT g, 'from ' || g, 'q' FROM generate_series(2, 100) g;
            UPDATE "Sales"."Order Items" SET "From" = 'changed', "select" = "select" + 1000 WHERE "select" = 1;
            INSERT INTO "Ünïcødé"."名前表" VALUES ('二', 2);
            DELETE FROM "Ünïcødé"."名前表" WHERE "名前" = '一';
            """);
        await s.WaitAsync("odd");
        await s.ShouldMatchAsync("\"Sales\".\"Order Items\"", "1", "src", "dst");
        await s.ShouldMatchAsync("\"Ünïcødé\".\"名前表\"", "1", "src", "dst");
        (await s.RowsAsync("dst", "\"Ünïcødé\".\"名前表\"")).ShouldBe(["(二,2)"]);
    }
}
