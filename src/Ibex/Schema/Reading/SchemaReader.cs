using System.Data;
using Ibex.Schema.Model;
using Npgsql;

namespace Ibex.Schema.Reading;

/// <summary>
/// Reads one database's schema from pg_catalog in a read-only repeatable-read transaction, with
/// <c>search_path = pg_catalog</c> so every user object in a definition comes back schema-qualified, and fixed
/// date, interval and float formats so constants in definitions print the same on every server.
/// </summary>
internal static class SchemaReader
{
    /// <summary>The session settings every catalog read (and every re-print of a definition) runs with.</summary>
    public const string SessionSql = """
        SET LOCAL search_path TO pg_catalog;
        SET LOCAL DateStyle TO 'ISO, YMD';
        SET LOCAL IntervalStyle TO postgres;
        SET LOCAL extra_float_digits TO 3;
        SET LOCAL TimeZone TO 'UTC';
        SET LOCAL quote_all_identifiers TO off;
        """;

    /// <summary>The oldest server whose catalogs the readers understand (pg_trigger.tgparentid).</summary>
    public const int MinimumServerVersion = 130000;

    public static async Task<SchemaModel> ReadAsync(NpgsqlConnection connection, IReadOnlyList<string>? schemas, string side, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        try
        {
            return await ReadCoreAsync(connection, schemas, side, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e)
        {
            throw new IbexException($"{side}: reading the schema failed: {e.MessageText} (SQLSTATE {e.SqlState})", e);
        }
    }

    static async Task<SchemaModel> ReadCoreAsync(NpgsqlConnection connection, IReadOnlyList<string>? schemas, string side, CancellationToken cancellationToken)
    {
        if (connection.State != ConnectionState.Open)
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (connection.PostgreSqlVersion.Major < MinimumServerVersion / 10000)
            throw new IbexException($"{side}: schema diff needs PostgreSQL {MinimumServerVersion / 10000} or later; the server is {connection.PostgreSqlVersion}");
        var builder = new ModelBuilder();
        var session = new CatalogSession(connection, builder);
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        await session.ExecuteAsync("SET TRANSACTION READ ONLY;" + SessionSql, cancellationToken).ConfigureAwait(false);
        await ExtensionReader.ReadMembersAsync(session, cancellationToken).ConfigureAwait(false);
        await NamespaceReader.ReadAsync(session, schemas, cancellationToken).ConfigureAwait(false);
        await ExtensionReader.ReadAsync(session, cancellationToken).ConfigureAwait(false);
        await ForeignDataReader.ReadAsync(session, cancellationToken).ConfigureAwait(false);
        await CollationReader.ReadAsync(session, cancellationToken).ConfigureAwait(false);
        await TypeReader.ReadAsync(session, cancellationToken).ConfigureAwait(false);
        await RangeTypeReader.ReadAsync(session, cancellationToken).ConfigureAwait(false);
        await SequenceReader.ReadAsync(session, cancellationToken).ConfigureAwait(false);
        await FunctionReader.ReadAsync(session, cancellationToken).ConfigureAwait(false);
        await AggregateReader.ReadAsync(session, cancellationToken).ConfigureAwait(false);
        await OperatorReader.ReadAsync(session, cancellationToken).ConfigureAwait(false);
        await OperatorClassReader.ReadAsync(session, cancellationToken).ConfigureAwait(false);
        await CastReader.ReadAsync(session, cancellationToken).ConfigureAwait(false);
        await TextSearchReader.ReadAsync(session, cancellationToken).ConfigureAwait(false);
        await TableReader.ReadAsync(session, cancellationToken).ConfigureAwait(false);
        await ColumnReader.ReadAsync(session, cancellationToken).ConfigureAwait(false);
        await ConstraintReader.ReadAsync(session, cancellationToken).ConfigureAwait(false);
        await ViewReader.ReadAsync(session, cancellationToken).ConfigureAwait(false);
        await IndexReader.ReadAsync(session, cancellationToken).ConfigureAwait(false);
        await StatisticsReader.ReadAsync(session, cancellationToken).ConfigureAwait(false);
        await TriggerReader.ReadAsync(session, cancellationToken).ConfigureAwait(false);
        await RuleReader.ReadAsync(session, cancellationToken).ConfigureAwait(false);
        await PolicyReader.ReadAsync(session, cancellationToken).ConfigureAwait(false);
        await PublicationReader.ReadAsync(session, cancellationToken).ConfigureAwait(false);
        await EventTriggerReader.ReadAsync(session, cancellationToken).ConfigureAwait(false);
        await CommentReader.ReadAsync(session, cancellationToken).ConfigureAwait(false);
        await PrivilegeReader.ReadAsync(session, cancellationToken).ConfigureAwait(false);
        await UnsupportedReader.ReadAsync(session, cancellationToken).ConfigureAwait(false);
        await DependencyReader.ReadAsync(session, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return builder.Build();
    }
}
