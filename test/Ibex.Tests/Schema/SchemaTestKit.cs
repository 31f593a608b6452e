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
/// Databases on a shared cluster for schema-diff tests: create and drop them, load SQL and apply scripts with
/// psql, run <c>ibex schema diff</c> in-process, and compare normalised <c>pg_dump --schema-only</c> output.
/// </summary>
public sealed class SchemaTestKit(LocalCluster cluster) : IAsyncDisposable
{
    static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(120);
    readonly List<string> _databases = [];

    public LocalCluster Cluster { get; } = cluster;

    /// <summary>Creates a fresh, uniquely named database (dropped on dispose).</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = Names.Unique("sd");
        // FILE_COPY: on these throwaway clusters (fsync off) it is much quicker than PostgreSQL 15's default WAL_LOG.
        await Cluster.ExecuteAsync("postgres", $"CREATE DATABASE {Ident.Quote(name)} TEMPLATE template0 ENCODING 'UTF8' STRATEGY FILE_COPY", TestContext.Current.CancellationToken);
        lock (_databases)
            _databases.Add(name);
        return name;
    }

    public string Conn(string database) => Cluster.ConnectionString(database);

    /// <summary>Runs an SQL file or text with psql, stopping at the first error.</summary>
    public async Task PsqlAsync(string database, string sql)
    {
        var file = Path.Combine(Path.GetTempPath(), $"ibex-sd-{Guid.NewGuid():N}.sql");
        await File.WriteAllTextAsync(file, sql, TestContext.Current.CancellationToken);
        try
        {
            var (code, _, err) = await RunToolAsync("psql", "-v", "ON_ERROR_STOP=1", "-X", "-q", "-h", "127.0.0.1", "-p", Port, "-U", "postgres", "-d", database, "-f", file);
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
        err.ShouldNotContain("warning", Case.Sensitive, script);
        await PsqlAsync(to, script);
        var (again, rest, err2) = await DiffAsync(from, to, ["--allow-hazards", "--exit-code", .. extra]);
        rest.ShouldBe("", $"a second diff still finds differences after applying:\n{script}");
        again.ShouldBe(0, err2);
        await ShouldDumpTheSameAsync(from, to, script);
        return script;
    }

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
        var (code, dump, err) = await RunToolAsync("pg_dump", "--schema-only", "-h", "127.0.0.1", "-p", Port, "-U", "postgres", "-d", database);
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
        var conn = new NpgsqlConnection(Cluster.NpgsqlConnectionString(database));
        await conn.OpenAsync(TestContext.Current.CancellationToken);
        return conn;
    }

    string Port => Cluster.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

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
        List<string> names;
        lock (_databases)
            names = [.. _databases];
        foreach (var db in names)
        {
            try
            {
                await Cluster.ExecuteAsync("postgres", $"DROP DATABASE IF EXISTS {Ident.Quote(db)} WITH (FORCE)", CancellationToken.None);
            }
            catch (NpgsqlException)
            {
                // The cluster may be gone already; its folder is deleted with it.
            }
        }
    }
}
