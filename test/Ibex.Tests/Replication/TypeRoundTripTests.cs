using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Replication;

/// <summary>Every common PostgreSQL type, edge values and NULLs, through the initial copy and through streaming
/// (single-row INSERTs, COPY-based insert runs, and UPDATEs): the target's rows print exactly as the source's.</summary>
public class TypeRoundTripTests(SharedClusters clusters)
{
    const string Schema = """
        CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
        CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
        CREATE TYPE pair AS (a integer, b text);
        CREATE TABLE everything (
            id integer PRIMARY KEY,
            c_int2 smallint, c_int4 integer, c_int8 bigint,
            c_numeric numeric, c_float4 real, c_float8 double precision,
            c_text text, c_varchar varchar(20), c_char char(5), c_bytea bytea, c_bool boolean,
            c_date date, c_time time, c_timetz timetz, c_ts timestamp, c_tstz timestamptz, c_interval interval,
            c_uuid uuid, c_json json, c_jsonb jsonb,
            c_intarr integer[], c_textarr text[], c_2d integer[][],
            c_enum mood, c_enumarr mood[], c_domain posint, c_pair pair, c_pairarr pair[],
            c_int4range int4range, c_tstzrange tstzrange, c_numrange numrange,
            c_inet inet, c_cidr cidr, c_macaddr macaddr, c_money money,
            c_bit bit(8), c_varbit varbit, c_xml xml, c_tsvector tsvector, c_oid oid, c_point point
        );
        """;

    static string Row(int id) => $$$"""
        INSERT INTO everything VALUES ({{{id}}},
            -32768, 2147483647, -9223372036854775808,
            'NaN', 'Infinity', '-Infinity',
            E'unicode ✓ 名前 \u00e9 tab\there\nnewline\r cr \\ backslash \x01 ctrl', 'varchar', 'ab', '\x00ff10'::bytea, true,
            'infinity', '23:59:59.999999', '12:00:00+05:30', '-infinity', 'infinity', '-178000000 years 3 mons 4 days 05:06:07.008009',
            'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2.50, null], "b": "x"}', '{"z": 1, "a": {"nested": true}}',
            '{1,NULL,3}', '{"with space","quo\"te",NULL,""}', '{{1,2},{3,NULL}}',
            'happy', '{sad,ok}', 42, ROW(1, 'one, with comma'), ARRAY[ROW(2, 'two')::pair, ROW(NULL, NULL)::pair],
            '[1,10)', '[2020-01-01 00:00:00+00,infinity)', '(,5.5]',
            '192.168.0.1/24', '10.0.0.0/8', '08:00:2b:01:02:03', 12345.67,
            B'10101010', B'101', '<a x="1">text &amp; more</a>', 'fat:1 cat:2 rat', 4294967295, '(1.5,-2.25)');
        """;

    const string Special = """
        INSERT INTO everything (id, c_numeric, c_float4, c_float8, c_text, c_date, c_tstz, c_interval)
        VALUES (-1, repeat('9', 1000)::numeric + 0.5, '-0', 1.0000000000000002, '', '-infinity', '-infinity', '0'),
               (-2, -repeat('1', 600)::numeric / 7, 'NaN', 'NaN', repeat('x', 5000), '4713-01-01 BC', '1970-01-01 00:00:00.000001+00', '-1 day');
        INSERT INTO everything (id) VALUES (0);
        """;

    [Fact]
    public async Task Every_type_round_trips_through_copy_insert_copy_apply_and_update()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        await s.ExecAllAsync(Schema);
        await s.ExecAsync("src", Row(1) + Special);
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", "types", "--tables", "everything", "--source", "src", "--target", "dst")).ShouldSucceed();
        s.StartDaemon();
        await s.WaitAsync("types");
        await s.ShouldMatchAsync("everything", "id", "src", "dst");

        // Streaming: a single-row INSERT (statement path) ...
        await s.ExecAsync("src", Row(2));
        // ... a run of inserts long enough for COPY apply ...
        await s.ExecAsync("src", "BEGIN;" + string.Concat(Enumerable.Range(100, 60).Select(Row)) + "COMMIT;");
        // ... updates of every column, to NULL and back, and a key change.
        await s.ExecAsync("src", """
            UPDATE everything SET c_text = c_text || ' updated', c_numeric = c_numeric * 2 WHERE id >= 100 AND id < 120;
            UPDATE everything SET (c_int2, c_int4, c_int8, c_numeric, c_float4, c_float8, c_text, c_bytea, c_json, c_jsonb, c_intarr, c_enum, c_pair, c_xml)
                = (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL) WHERE id = 2;
            UPDATE everything SET id = 1000 WHERE id = 1;
            DELETE FROM everything WHERE id = 150;
            """);
        await s.WaitAsync("types");
        await s.ShouldMatchAsync("everything", "id", "src", "dst");
        (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM everything")).ShouldBe(64);
        (await s.ScalarAsync<string>("dst", "SELECT c_float4::text FROM everything WHERE id = -1")).ShouldBe("-0");
        (await s.ScalarAsync<int>("dst", "SELECT length(c_numeric::text) FROM everything WHERE id = -1")).ShouldBe(1002);
    }
}
