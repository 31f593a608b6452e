namespace Ibex.Tests.Fidelity;

/// <summary>
/// The types of the type matrix: every built-in type that can be stored, the types of the contrib extensions shipped
/// with PostgreSQL (hstore, citext, ltree, cube, isn, seg), enums, composites (nested, in arrays, under domains),
/// domains over arrays, ranges and multiranges (built-in and user-defined). Each is the key of its table when
/// PostgreSQL has a btree operator class for it.
/// </summary>
public static class TypeCases
{
    /// <summary>Run on every node before the tables: the extensions and user types the cases use.</summary>
    public const string Setup = """
        CREATE EXTENSION hstore; CREATE EXTENSION citext; CREATE EXTENSION ltree; CREATE EXTENSION cube; CREATE EXTENSION isn; CREATE EXTENSION seg;
        CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'meh');
        CREATE TYPE cx AS (x float8, y text, z int);
        CREATE TYPE nest AS (c cx, a int[]);
        CREATE DOMAIN dcx AS cx CHECK ((VALUE).z > 0);
        CREATE DOMAIN dintarr AS int[] CHECK (cardinality(VALUE) < 10);
        CREATE DOMAIN posint AS int CHECK (VALUE > 0);
        CREATE TYPE floatrange AS RANGE (subtype = float8);
        """;

    public static IReadOnlyList<TypeCase> All { get; } =
    [
        new("int2", "smallint", true, "-32768", "0", "7", "32767"),
        new("int4", "integer", true, "-2147483648", "0", "42", "2147483647"),
        new("int8", "bigint", true, "-9223372036854775808", "0", "1", "9223372036854775807"),
        new("numeric", "numeric", true, "NaN", "0.000000000000000000001", "-123456789012345678901234567890.5", "Infinity"),
        new("numeric_10_3", "numeric(10,3)", true, "1.5", "-0.001", "9999999.999", "0"),
        new("float4", "real", true, "NaN", "Infinity", "1.5", "-3.25e-10"),
        new("float8", "double precision", true, "NaN", "-Infinity", "1.0000000000000002", "-0.1"),
        new("money", "money", true, "12.34", "-1.00", "0.00", "92233720368547758.07"),
        new("text", "text", true, "a b", "tab\there\nnewline \\ backslash", "", "名前 é"),
        new("varchar_10", "character varying(10)", true, "x", "0123456789", "", "ü"),
        new("varchar", "character varying", true, "x", "y", "", string.Concat(Enumerable.Repeat("long ", 50))),
        new("char_4", "character(4)", true, "ab", "abcd", "", "z"),
        new("char1", "\"char\"", true, "a", "Z", "1", "~"),
        new("name", "name", true, "pg_class", "Name With Space", "x", "y"),
        new("bytea", "bytea", true, "\\x00", "\\xdeadbeef", "\\x", "\\x0a0d"),
        new("bool", "boolean", false, "true", "false", "true", "false"),
        new("date", "date", true, "2026-01-01", "infinity", "-infinity", "4713-01-01 BC"),
        new("time", "time without time zone", true, "00:00:00", "23:59:59.999999", "12:34:56", "24:00:00"),
        new("time_3", "time(3) without time zone", true, "00:00:00.123", "23:59:59.999", "12:34:56", "01:00:00"),
        new("timetz", "time with time zone", true, "12:00:00+05:30", "12:00:00-08", "00:00:00+00", "23:59:59.5+14"),
        new("timestamp", "timestamp without time zone", true, "2026-12-03 16:00:00", "infinity", "-infinity", "1999-01-01 00:00:00.000001"),
        new("timestamp_2", "timestamp(2) without time zone", true, "2026-12-03 16:00:00.12", "2000-02-29 00:00:00", "0001-01-01 00:00:00 BC", "2038-01-19 03:14:07.99"),
        new("timestamptz", "timestamp with time zone", true, "2026-12-03 16:00:00+00", "infinity", "-infinity", "1970-01-01 00:00:00.5+03"),
        new("interval", "interval", true, "1 year 2 mons", "-3 days", "00:00:00.000001", "178000000 years"),
        new("interval_ym", "interval year to month", true, "1 year", "2 mons", "-1 years -1 mons", "0"),
        new("interval_3", "interval(3)", true, "1 day 00:00:00.123", "-00:00:01", "00:00:00", "1 mon"),
        new("uuid", "uuid", true, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff", "123e4567-e89b-12d3-a456-426614174000"),
        new("inet", "inet", true, "10.0.0.1", "::1", "192.168.0.1/24", "2001:db8::/32"),
        new("cidr", "cidr", true, "10.0.0.0/8", "192.168.1.0/24", "::/0", "2001:db8::/32"),
        new("macaddr", "macaddr", true, "08:00:2b:01:02:03", "00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff", "01:23:45:67:89:ab"),
        new("macaddr8", "macaddr8", true, "08:00:2b:01:02:03:04:05", "00:00:00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff:ff:ff", "08:00:2b:ff:fe:01:02:03"),
        new("bit_4", "bit(4)", true, "0000", "1111", "1010", "0101"),
        new("varbit", "bit varying", true, "", "1", "101010101010", "0"),
        new("oid", "oid", true, "0", "4294967295", "1", "12345"),
        new("regclass", "regclass", true, "pg_class", "public.tm_int4", "pg_attribute", "public.tm_text"),
        new("regtype", "regtype", true, "integer", "public.mood", "timestamp with time zone", "public.cx[]"),
        new("regproc", "regproc", true, "now", "pg_backend_pid", "version", "pg_postmaster_start_time"),
        new("regprocedure", "regprocedure", true, "now()", "abs(integer)", "lower(text)", "upper(text)"),
        new("regoperator", "regoperator", true, "+(integer,integer)", "-(bigint,bigint)", "=(text,text)", "<(date,date)"),
        new("regnamespace", "regnamespace", true, "pg_catalog", "public", "information_schema", "pg_toast"),
        new("regrole", "regrole", true, "postgres", "pg_monitor", "pg_read_all_data", "pg_signal_backend"),
        new("regconfig", "regconfig", true, "english", "simple", "french", "german"),
        new("regdictionary", "regdictionary", true, "simple", "english_stem", "french_stem", "german_stem"),
        new("regcollation", "regcollation", true, "\"C\"", "\"POSIX\"", "\"default\"", "ucs_basic"),
        new("pg_lsn", "pg_lsn", true, "0/0", "16/B374D848", "FFFFFFFF/FFFFFFFF", "1/1"),
        new("xid8", "xid8", true, "0", "1", "18446744073709551615", "42"),
        new("xid", "xid", false, "0", "1", "4294967295", "42"),
        new("cid", "cid", false, "0", "1", "4294967295", "42"),
        new("tid", "tid", true, "(0,1)", "(4294967295,65535)", "(1,2)", "(0,0)"),
        new("oidvector", "oidvector", true, "1 2 3", "", "23", "4294967295 0"),
        new("int2vector", "int2vector", true, "1 2", "", "3", "-1"),
        new("refcursor", "refcursor", false, "cur", "", "with space", "x"),
        new("aclitem", "aclitem", false, "postgres=arwdDxt/postgres", "=r/postgres", "postgres=U/postgres", "=X*/postgres"),
        new("pg_snapshot", "pg_snapshot", false, "10:20:10,14,15", "1:1:", "100:200:", "5:10:6"),
        new("txid_snapshot", "txid_snapshot", false, "10:20:10,14,15", "1:1:", "100:200:", "5:10:6"),
        new("json", "json", false, "{\"a\": [1, 2.50, null], \"a\": \"dup\"}", "[]", "  \"spaces\"  ", "null"),
        new("jsonb", "jsonb", true, "{}", "[1, 2.50, null]", "{\"a\": {\"b\": \"ü\"}}", "\"string\""),
        new("jsonpath", "jsonpath", false, "$.a[*] ? (@ > 1)", "$", "strict $.x", "$.\"quoted key\""),
        new("xml", "xml", false, "<a x=\"1\">text &amp; more</a>", "", "<?xml version=\"1.0\"?><r/>", "plain text"),
        new("tsvector", "tsvector", true, "a fat:1 cat:2", "", "'quoted word':3A", "zz"),
        new("tsquery", "tsquery", true, "fat & cat", "!x", "a:* | b", "( a <-> b ) & c"),
        new("point", "point", false, "(1.5,-2.25)", "(0,0)", "(NaN,1)", "(1e+300,-1e-300)"),
        new("line", "line", false, "{1,-1,0}", "{0,1,5}", "{2,3,4}", "{1,0,-7}"),
        new("lseg", "lseg", false, "[(0,0),(1,1)]", "[(1.5,2),(3,4.5)]", "[(0,0),(0,0)]", "[(-1,-1),(1,1)]"),
        new("box", "box", false, "(1,1),(0,0)", "(3,4),(1,2)", "(0,0),(0,0)", "(10,10),(-10,-10)"),
        new("path", "path", false, "[(0,0),(1,1),(2,0)]", "((0,0),(1,1))", "[(1,2)]", "((0,0),(1,0),(1,1))"),
        new("polygon", "polygon", false, "((0,0),(1,1),(1,0))", "((0,0))", "((1,2),(3,4),(5,6),(7,8))", "((-1,-1),(1,1),(1,-1))"),
        new("circle", "circle", false, "<(0,0),1>", "<(1.5,-2),0>", "<(10,10),100>", "<(0,0),0.5>"),
        new("int4_array", "integer[]", true, "{}", "{1,NULL,3}", "{{1,2},{3,4}}", "{-1}"),
        new("text_array", "text[]", true, "{}", "{\"a b\",\"quo\\\"te\",NULL,\"\"}", "{x}", "{\"{braces}\",\"back\\\\slash\"}"),
        new("varchar_array", "character varying(5)[]", true, "{}", "{abc,de}", "{NULL}", "{\"a,b\"}"),
        new("json_array", "json[]", false, "{}", "{\"{\\\"a\\\": 1}\",null}", "{\"[]\"}", "{\"\\\"s\\\"\"}"),
        new("point_array", "point[]", false, "{}", "{\"(1,2)\",\"(3,4)\"}", "{NULL}", "{\"(0,0)\"}"),
        new("mood", "public.mood", true, "sad", "ok", "happy", "meh"),
        new("mood_array", "public.mood[]", true, "{}", "{sad}", "{ok,happy}", "{NULL}"),
        new("composite", "public.cx", true, "(1.5,\"a b\",1)", "(,,)", "(2,\"\",2)", "(NaN,\"q\"\"x\",3)"),
        new("composite_array", "public.cx[]", true, "{}", "{\"(1,a,2)\"}", "{\"(1,a,2)\",\"(,,)\"}", "{NULL}"),
        new("nested_composite", "public.nest", true, "(\"(1,a,1)\",\"{1,2}\")", "(,)", "(\"(2,,2)\",{})", "(\"(,,)\",\"{NULL}\")"),
        new("domain_composite", "public.dcx", true, "(1,a,1)", "(2,b,2)", "(3,\"c d\",3)", "(4,,4)"),
        new("domain_array", "public.dintarr", true, "{}", "{1}", "{1,2,3}", "{NULL,5}"),
        new("domain_int", "public.posint", true, "1", "2", "3", "2147483647"),
        new("int4range", "int4range", true, "[1,10)", "empty", "(,5)", "[7,)"),
        new("int8range", "int8range", true, "[1,10)", "empty", "(,9223372036854775807)", "[-9223372036854775808,)"),
        new("numrange", "numrange", true, "(1.5,2.5]", "empty", "[0,)", "(,-1.5]"),
        new("daterange", "daterange", true, "[2026-01-01,2026-02-01)", "empty", "(,2026-01-01)", "[2026-01-01,)"),
        new("tsrange", "tsrange", true, "[\"2026-01-01 00:00:00\",\"2026-01-02 00:00:00\")", "empty", "(,)", "[\"2026-01-01 00:00:00\",infinity]"),
        new("tstzrange", "tstzrange", true, "[\"2026-01-01 00:00:00+00\",\"2026-01-02 00:00:00+00\")", "empty", "(,)", "[\"2026-01-01 00:00:00+00\",infinity]"),
        new("floatrange", "public.floatrange", true, "[1.5,2.5)", "empty", "(,0]", "[3,)"),
        new("int4multirange", "int4multirange", true, "{}", "{[1,3),[5,7)}", "{(,0)}", "{[10,)}"),
        new("int8multirange", "int8multirange", true, "{}", "{[1,3)}", "{(,0),[5,6)}", "{[10,)}"),
        new("nummultirange", "nummultirange", true, "{}", "{[1.5,3)}", "{(,0.5),[5,6]}", "{[10,)}"),
        new("datemultirange", "datemultirange", true, "{}", "{[2026-01-01,2026-02-01)}", "{(,2026-01-01)}", "{[2026-01-01,)}"),
        new("tsmultirange", "tsmultirange", true, "{}", "{[\"2026-01-01 00:00:00\",\"2026-01-02 00:00:00\")}", "{(,)}", "{[\"2026-01-03 00:00:00\",infinity]}"),
        new("tstzmultirange", "tstzmultirange", true, "{}", "{[\"2026-01-01 00:00:00+00\",\"2026-01-02 00:00:00+00\")}", "{(,)}", "{[\"2026-01-03 00:00:00+00\",infinity]}"),
        new("floatmultirange", "public.floatmultirange", true, "{}", "{[1.5,2.5)}", "{(,0]}", "{[3,)}"),
        new("hstore", "public.hstore", true, "a=>1, b=>NULL", "", "\"x y\"=>\"z\"", "k=>v"),
        new("citext", "public.citext", true, "Abc", "x y", "ÄÖ", "q"),
        new("ltree", "public.ltree", true, "Top.Science", "", "a.b.c", "Top"),
        new("cube", "public.cube", true, "(1, 2),(3, 4)", "(0)", "(1, 2, 3)", "(1e+10)"),
        new("seg", "public.seg", true, "1.5", "0 .. 1", "<3", "~5.0"),
        new("ean13", "public.ean13", true, "4006381333931", "9780393040029", "5901234123457", "0012345678905"),
        new("isbn13", "public.isbn13", true, "9780393040029", "9783161484100", "9781861978769", "9791234567896"),
    ];

    public static TypeCase Get(string name) => All.Single(c => c.Name == name);
}
