using System.Diagnostics;
using System.Text;
using Ibex.Cli;
using Ibex.Local;
using Ibex.Sql;
using Ibex.Tests.Infrastructure;
using Npgsql;
using Shouldly;

namespace Ibex.Tests.Schema;

/// <summary>
/// Databases on one or two shared clusters for schema-diff tests: create and drop them, load SQL and apply scripts
/// with psql, run <c>ibex schema diff</c> in-process, and compare normalised <c>pg_dump --schema-only</c> output.
/// A kit made with <see cref="AcrossAsync"/> puts databases on shared servers 0 and 1, which run different major
/// versions in the mixed-version CI runs (IBEX_TEST_PG_MAJORS): the diffs then go between versions.
/// </summary>
public sealed class SchemaTestKit(params LocalCluster[] clusters) : IAsyncDisposable
{
    static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(120);
    readonly Dictionary<string, LocalCluster> _databases = [];

    /// <summary>The first server (where <see cref="CreateDatabaseAsync"/> puts databases by default).</summary>
    public LocalCluster Cluster { get; } = clusters[0];

    /// <summary>A kit over shared servers 0 and 1.</summary>
    public static async Task<SchemaTestKit> AcrossAsync(SharedClusters shared) => new(await shared.GetAsync(0), await shared.GetAsync(1));

    /// <summary>Creates a fresh, uniquely named database (dropped on dispose) on the kit's server <paramref name="server"/>.</summary>
    public async Task<string> CreateDatabaseAsync(int server = 0)
    {
        var name = Names.Unique("sd");
        var cluster = clusters[server];
        // FILE_COPY: on these throwaway clusters (fsync off) it is much quicker than PostgreSQL 15's default WAL_LOG.
        await cluster.ExecuteAsync("postgres", $"CREATE DATABASE {Ident.Quote(name)} TEMPLATE template0 ENCODING 'UTF8' STRATEGY FILE_COPY", TestContext.Current.CancellationToken);
        lock (_databases)
            _databases.Add(name, cluster);
        return name;
    }

    /// <summary>The server a database of this kit is on (the first for a name the kit did not create).</summary>
    LocalCluster On(string database)
    {
        lock (_databases)
            return _databases.GetValueOrDefault(database, Cluster);
    }

    public string Conn(string database) => On(database).ConnectionString(database);

    /// <summary>Runs an SQL file or text with psql, stopping at the first error.</summary>
    public async Task PsqlAsync(string database, string sql)
    {
        var file = Path.Combine(Path.GetTempPath(), $"ibex-sd-{Guid.NewGuid():N}.sql");
        await File.WriteAllTextAsync(file, sql, TestContext.Current.CancellationToken);
        try
        {
            var (code, _, err) = await RunToolAsync("psql", "-v", "ON_ERROR_STOP=1", "-X", "-q", "-h", "127.0.0.1", "-p", Port(database), "-U", "postgres", "-d", database, "-f", file);
            code.ShouldBe(0, $"psql failed on {database}: {err}\n--- script ---\n{sql}");
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Runs <c>ibex</c> in-process; returns exit code, stdout and stderr.</summary>
    public static async Task<(int Code, string Out, string Err)> IbexAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await IbexCli.RunAsync(args, new CliContext(output, error), TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary><c>ibex schema diff --from … --to …</c> with extra arguments.</summary>
    public Task<(int Code, string Out, string Err)> DiffAsync(string from, string to, params string[] extra)
        => IbexAsync(["schema", "diff", "--from", Conn(from), "--to", Conn(to), .. extra]);

    /// <summary>
    /// Diffs, applies the script to <paramref name="to"/>, and checks that a second diff prints nothing and that
    /// both databases dump the same schema. Returns the applied script.
    /// </summary>
    public async Task<string> RoundTripAsync(string from, string to, params string[] extra)
    {
        var (code, script, err) = await DiffAsync(from, to, ["--allow-hazards", .. extra]);
        code.ShouldBe(0, err);
        var crossVersion = await MajorAsync(from) != await MajorAsync(to);
        (crossVersion ? WithoutExtensionVersionWarnings(err) : err).ShouldNotContain("warning", Case.Sensitive, script);
        await PsqlAsync(to, script);
        var (again, rest, err2) = await DiffAsync(from, to, ["--allow-hazards", "--exit-code", .. extra]);
        rest.ShouldBe("", $"a second diff still finds differences after applying:\n{script}");
        again.ShouldBe(0, err2);
        if (!crossVersion)
            await ShouldDumpTheSameAsync(from, to, script);
        else
        {
            // Debian's pg_dump 15 refuses newer servers: between versions, the diff the other way must be empty too.
            var (back, backScript, err3) = await DiffAsync(to, from, ["--allow-hazards", "--exit-code", .. extra]);
            backScript.ShouldBe("", $"the diff back from {to} to {from} still finds differences after applying:\n{script}");
            back.ShouldBe(0, err3);
        }
        return script;
    }

    /// <summary>
    /// Warnings without those about extension versions: servers of different major versions ship different
    /// versions of the contrib extensions, which the diff rightly names.
    /// </summary>
    public static string WithoutExtensionVersionWarnings(string warnings)
        => string.Concat(warnings.Split('\n').Where(l => l.Length > 0 && !(l.StartsWith("ibex: warning: extension ", StringComparison.Ordinal) && l.Contains(" version", StringComparison.Ordinal))).Select(l => l + "\n"));

    /// <summary>Fails with the statements only one side has when the two databases dump differently.</summary>
    public async Task ShouldDumpTheSameAsync(string expected, string actual, string context = "")
    {
        var (want, have) = (await DumpStatementsAsync(expected), await DumpStatementsAsync(actual));
        if (want.SequenceEqual(have, StringComparer.Ordinal))
            return;
        var missing = want.Except(have, StringComparer.Ordinal);
        var extra = have.Except(want, StringComparer.Ordinal);
        Assert.Fail($"pg_dump of {actual} differs from {expected}.\n--- only in {expected}:\n{string.Concat(missing)}--- only in {actual}:\n{string.Concat(extra)}--- script:\n{context}");
    }

    /// <summary>
    /// <c>pg_dump --schema-only</c> without comments, SET lines, \restrict lines and blank lines, as statements
    /// sorted by text (pg_dump breaks some ties by OID, which differs between databases).
    /// </summary>
    public async Task<string> DumpAsync(string database) => string.Concat(await DumpStatementsAsync(database));

    async Task<List<string>> DumpStatementsAsync(string database)
    {
        var (code, dump, err) = await RunToolAsync("pg_dump", "--schema-only", "-h", "127.0.0.1", "-p", Port(database), "-U", "postgres", "-d", database);
        code.ShouldBe(0, err);
        var statements = new List<string>();
        var current = new StringBuilder();
        foreach (var line in dump.Split('\n'))
        {
            if (line.Length == 0 || line.StartsWith("--", StringComparison.Ordinal) || line.StartsWith("SET ", StringComparison.Ordinal)
                || line.StartsWith("SELECT pg_catalog.set_config", StringComparison.Ordinal) || line.StartsWith("\\restrict", StringComparison.Ordinal)
                || line.StartsWith("\\unrestrict", StringComparison.Ordinal))
                continue;
            current.Append(line).Append('\n');
            if (line.EndsWith(';'))
            {
                statements.Add(current.ToString());
                current.Clear();
            }
        }
        if (current.Length > 0)
            statements.Add(current.ToString());
        statements.Sort(StringComparer.Ordinal);
        return statements;
    }

    public async Task<NpgsqlConnection> OpenAsync(string database)
    {
        var conn = new NpgsqlConnection(On(database).NpgsqlConnectionString(database));
        await conn.OpenAsync(TestContext.Current.CancellationToken);
        return conn;
    }

    /// <summary>The major version of the server a database is on.</summary>
    public async Task<int> MajorAsync(string database)
    {
        await using var conn = await OpenAsync(database);
        return await conn.ScalarAsync<int>("SELECT current_setting('server_version_num')::int / 10000");
    }

    string Port(string database) => On(database).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    static async Task<(int Code, string Out, string Err)> RunToolAsync(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(Path.Combine("/usr/lib/postgresql/15/bin", tool))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        psi.Environment["PGCONNECT_TIMEOUT"] = "15";
        using var p = Process.Start(psi)!;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(ToolTimeout);
        var stdout = p.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = p.StandardError.ReadToEndAsync(cts.Token);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw;
        }
        return (p.ExitCode, await stdout, await stderr);
    }

    public async ValueTask DisposeAsync()
    {
        List<KeyValuePair<string, LocalCluster>> names;
        lock (_databases)
            names = [.. _databases];
        foreach (var (db, cluster) in names)
        {
            try
            {
                await cluster.ExecuteAsync("postgres", $"DROP DATABASE IF EXISTS {Ident.Quote(db)} WITH (FORCE)", CancellationToken.None);
            }
            catch (NpgsqlException)
            {
                // The cluster may be gone already; its folder is deleted with it.
            }
        }
    }
}
