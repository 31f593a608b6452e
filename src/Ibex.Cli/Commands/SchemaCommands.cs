using System.CommandLine;
using System.Net.Sockets;
using System.Text.Json;
using Ibex.Connections;
using Ibex.Schema;
using Npgsql;

namespace Ibex.Cli.Commands;

/// <summary><c>ibex schema …</c>: schema comparison.</summary>
public static class SchemaCommands
{
    /// <summary>Exit code of <c>schema diff --exit-code</c> when the schemas differ (like <c>git diff</c>).</summary>
    public const int DifferencesExitCode = 2;

    static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    public static Command Build(CliContext context)
    {
        var schema = new Command("schema", "Compare database schemas");
        schema.Subcommands.Add(BuildDiff(context));
        return schema;
    }

    static Command BuildDiff(CliContext context)
    {
        var from = new Option<string>("--from") { Description = "The database whose schema to reproduce (libpq URI or key=value)", Required = true, HelpName = "CONN" };
        var to = new Option<string>("--to") { Description = "The database to change (the SQL is meant to run there)", Required = true, HelpName = "CONN" };
        var schemas = new Option<string[]>("--schema")
        {
            Description = "Compare only these schemas (repeatable); default: all but system schemas and 'ibex'",
            AllowMultipleArgumentsPerToken = true,
            HelpName = "NAME",
        };
        var allowHazards = new Option<bool>("--allow-hazards") { Description = "Include statements that can lose data (drop table or column, narrowing type changes)" };
        var withPrivileges = new Option<bool>("--with-privileges") { Description = "Compare privileges too (GRANT/REVOKE)" };
        var exitCode = new Option<bool>("--exit-code") { Description = $"Exit with {DifferencesExitCode} when the schemas differ (0 when identical)" };
        var json = new Option<bool>("--json") { Description = "Print the statements, their hazards and the script as JSON" };
        var diff = new Command("diff", "Print the SQL that, run against --to, makes its schema match --from's (nothing is executed)");
        foreach (var o in new Option[] { from, to, schemas, allowHazards, withPrivileges, exitCode, json })
            diff.Options.Add(o);
        diff.SetAction(async (ParseResult parse, CancellationToken cancellationToken) =>
        {
            var fromSettings = Settings(parse.GetValue(from)!, "--from");
            var toSettings = Settings(parse.GetValue(to)!, "--to");
            var options = new SchemaDiffOptions
            {
                Schemas = parse.GetValue(schemas) is { Length: > 0 } s ? s : null,
                AllowHazards = parse.GetValue(allowHazards),
                WithPrivileges = parse.GetValue(withPrivileges),
            };
            await using var fromConnection = await OpenAsync(fromSettings, "--from", cancellationToken).ConfigureAwait(false);
            await using var toConnection = await OpenAsync(toSettings, "--to", cancellationToken).ConfigureAwait(false);
            var result = await SchemaDiff.DiffAsync(fromConnection, toConnection, options, cancellationToken).ConfigureAwait(false);
            foreach (var warning in result.Warnings)
                await context.Error.WriteLineAsync("ibex: warning: " + warning).ConfigureAwait(false);
            if (result.RefusedHazards.Count > 0)
                throw new IbexException($"refusing to {string.Join(", ", result.RefusedHazards)}; re-run with --allow-hazards to include {(result.RefusedHazards.Count == 1 ? "it" : "them")}");
            if (result.AllowedHazards.Count > 0)
                await context.Error.WriteLineAsync("ibex: --allow-hazards: including " + string.Join(", ", result.AllowedHazards)).ConfigureAwait(false);
            if (parse.GetValue(json))
                await context.Output.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    result.HasDifferences,
                    result.Statements,
                    result.AllowedHazards,
                    result.Warnings,
                    Script = result.ToScript(),
                }, JsonOptions)).ConfigureAwait(false);
            else
                await context.Output.WriteAsync(result.ToScript()).ConfigureAwait(false);
            return parse.GetValue(exitCode) && result.HasDifferences ? DifferencesExitCode : 0;
        });
        return diff;
    }

    static NpgsqlConnectionStringBuilder Settings(string text, string side)
        => SessionSettings.For(ConnectionString.Parse(text, side), "ibex schema diff");

    static async Task<NpgsqlConnection> OpenAsync(NpgsqlConnectionStringBuilder settings, string side, CancellationToken cancellationToken)
    {
        TlsFiles.Check(settings, $"the {side} database");
        var connection = new NpgsqlConnection(settings.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException or IOException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            var reason = e is PostgresException pg ? pg.MessageText
                : TlsDiagnosis.IsCertificateFailure(e) ? await ConnectionFailure.DescribeAsync(e, settings, cancellationToken).ConfigureAwait(false)
                : e.Message;
            throw new IbexException($"cannot connect to the {side} database ({ConnectionString.Describe(settings)}): {IbexCli.OneLine(reason)}", e);
        }
    }
}
