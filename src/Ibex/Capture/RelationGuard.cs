using Ibex.Connections;
using Ibex.Sql;
using Npgsql;

namespace Ibex.Capture;

/// <summary>
/// Matches the relations pgoutput describes with the sync's tables by OID, so no change is ever dropped for want of a
/// name. A synced table renamed or moved on the source, or a table the publication has but the sync does not, stops
/// the stream with an error naming it and the way back (its changes stay in the slot: nothing is acknowledged past
/// them). A change described under a name the table had for a while (a rename since undone) goes to its table.
/// That is the only safe answer to a rename unless the sync replicates DDL (<see cref="FollowsDdl"/>): then the
/// rename reached the targets in the stream before the changes that follow it, a change goes to the table under the
/// name it was described with, and the sync follows renamed, created and dropped tables (<see cref="FollowAsync"/>).
/// </summary>
public sealed class RelationGuard(NpgsqlConnectionStringBuilder source, string sourceNode, string sync, string publication, IReadOnlyCollection<QualifiedName> tables)
{
    const string NamesSql = """
        SELECT c.oid, n.nspname, c.relname
        FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        """;

    // Replaced, never changed in place: the watch reads them while the reader follows DDL.
    HashSet<QualifiedName> _tables = [.. tables];
    readonly HashSet<uint> _others = [];
    Dictionary<uint, QualifiedName> _byOid = [];

    /// <summary>The sync, for messages.</summary>
    public string Sync => sync;

    /// <summary>The source node, for messages.</summary>
    public string Source => sourceNode;

    /// <summary>
    /// Finds the sync's tables on the source. One that is missing (dropped, renamed or moved while the stream was
    /// stopped) stops the stream with its name.
    /// </summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        if (await MissingAsync(cancellationToken).ConfigureAwait(false) is { } missing)
            throw missing;
        try
        {
            await WatchPartitionsAsync(cancellationToken).ConfigureAwait(false); // the partitions as the stream starts
        }
        catch (NpgsqlException) when (!cancellationToken.IsCancellationRequested)
        {
            // Only a warning depends on it: the watch takes its first look later.
        }
    }

    // The error naming a synced table that is not on the source under its name, if any.
    async Task<IbexException?> MissingAsync(CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await ResolveAsync(conn, cancellationToken).ConfigureAwait(false);
        var missing = _tables.Where(t => !_byOid.ContainsValue(t)).Order().ToList();
        // Replicating DDL, a table renamed or dropped on the source is followed when the stream reaches that DDL.
        if (missing.Count == 0 || FollowsDdl)
            return null;
        var strangers = (await QueryAsync(conn, NamesSql + " JOIN pg_catalog.pg_publication_rel r ON r.prrelid = c.oid JOIN pg_catalog.pg_publication p ON p.oid = r.prpubid WHERE p.pubname = $1", publication, cancellationToken).ConfigureAwait(false))
            .Values.Where(n => !_tables.Contains(n)).Order().ToList();
        var t = missing[0];
        var hint = strangers.Count > 0 ? $" (publication {publication} now has {string.Join(", ", strangers.Select(s => s.Display))}, which the sync does not: was it renamed or moved?)" : "";
        return new IbexException($"source '{sourceNode}': table {t.Display} of sync '{sync}' is missing on the source: renamed, moved to another schema or dropped{hint}; put it back under its name and the sync resumes where it stopped, or take it out of the sync with 'ibex sync remove-table {sync} {t.Display}'");
    }

    /// <summary>How often a running stream checks that the sync's tables are still there (a DROP sends nothing).</summary>
    public static TimeSpan WatchInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Until cancelled, checks every <see cref="WatchInterval"/> that the sync's tables are still there under their
    /// names; returns the error that must stop the stream when one is not (null when cancelled). A source that cannot
    /// be reached is the stream's to report.
    /// </summary>
    public async Task<IbexException?> WatchAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(WatchInterval, cancellationToken).ConfigureAwait(false);
                try
                {
                    if (await MissingAsync(cancellationToken).ConfigureAwait(false) is { } missing)
                        return missing;
                    await WatchPartitionsAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IbexException or NpgsqlException or IOException or TimeoutException && !cancellationToken.IsCancellationRequested)
                {
                    // The source cannot be asked right now (the stream reports an unreachable source): next time.
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Receives a warning for the operator (logged and recorded as an event), e.g. a partition attached with rows.</summary>
    public Func<string, CancellationToken, Task>? Warn { get; init; }

    readonly PartitionWatch _partitions = new(sourceNode, sync);

    async Task WatchPartitionsAsync(CancellationToken cancellationToken)
    {
        if (Warn is null)
            return;
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        foreach (var warning in await _partitions.CheckAsync(conn, _byOid.Keys, cancellationToken).ConfigureAwait(false))
            await Warn(warning, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The sync table a RELATION message describes (relation <paramref name="oid"/>, named <paramref name="described"/>
    /// as of the change). Throws when it is a synced table now under another name, or a published table outside the
    /// sync. A relation neither synced nor published (a table removed from the sync) keeps its name: the applier skips it.
    /// </summary>
    public async ValueTask<QualifiedName> NameForAsync(uint oid, QualifiedName described, CancellationToken cancellationToken)
    {
        if (_byOid.TryGetValue(oid, out var name) && name == described)
            return name;
        if (FollowsDdl)
            return await FollowedNameAsync(oid, described, cancellationToken).ConfigureAwait(false);
        if (_others.Contains(oid))
            return described;
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        if (!_byOid.ContainsKey(oid))
            await ResolveAsync(conn, cancellationToken).ConfigureAwait(false); // a table re-created since the stream started
        if (_byOid.TryGetValue(oid, out name))
        {
            var now = (await QueryAsync(conn, NamesSql + " WHERE c.oid = $1", oid, cancellationToken).ConfigureAwait(false)).Values.Cast<QualifiedName?>().FirstOrDefault();
            if (now == name)
                return name; // described under a name it had for a while: a rename since undone
            throw new IbexException(Moved(name, now));
        }
        if (_tables.Contains(described))
            return described; // the table was dropped and re-created under the same name
        var published = await QueryAsync(conn, NamesSql + " JOIN pg_catalog.pg_publication_rel r ON r.prrelid = c.oid JOIN pg_catalog.pg_publication p ON p.oid = r.prpubid WHERE p.pubname = $1 AND c.oid = $2", new object[] { publication, oid }, cancellationToken).ConfigureAwait(false);
        if (published.Count == 0)
        {
            // Not ours: a partition, described after its root (publish_via_partition_root), or a table removed from the sync.
            _others.Add(oid);
            return described;
        }
        throw new IbexException($"source '{sourceNode}': changes arrive for table {described.Display}, which is not in the sync '{sync}' but is in its publication {publication} (an inheritance child of a synced table?); add it with 'ibex sync add-table {sync} {described.Display}', or run ALTER PUBLICATION {Ident.Quote(publication)} DROP TABLE ONLY {described.Quoted} on '{sourceNode}'");
    }

    /// <summary>The sync replicates DDL: table names on targets follow the source's in stream order.</summary>
    public bool FollowsDdl { get; init; }

    /// <summary>With <see cref="FollowsDdl"/>: every name a synced table was described under, shared with the appliers.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<QualifiedName, byte>? Followed { get; init; }

    /// <summary>With <see cref="FollowsDdl"/>: records a renamed, created or dropped table in the control database.</summary>
    public Func<Changes.DdlItem, CancellationToken, Task>? Persist { get; init; }

    /// <summary>With <see cref="FollowsDdl"/>: the sync's tables as the control database has them now.</summary>
    public Func<CancellationToken, Task<IReadOnlyList<QualifiedName>>>? ReloadTables { get; init; }

    /// <summary>The sync follows what a replicated DDL statement did to its tables, before the changes after it are read.</summary>
    public async Task FollowAsync(Changes.DdlItem ddl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ddl);
        if (ddl.Created.Count + ddl.Dropped.Count + ddl.Renamed.Count == 0)
            return;
        var tables = new HashSet<QualifiedName>(_tables);
        var byOid = new Dictionary<uint, QualifiedName>(_byOid);
        foreach (var (from, to) in ddl.Renamed)
        {
            tables.Remove(from);
            tables.Add(to);
            foreach (var oid in byOid.Where(e => e.Value == from).Select(e => e.Key).ToList())
                byOid[oid] = to;
            Followed?.TryAdd(to, 0);
        }
        foreach (var t in ddl.Created)
        {
            tables.Add(t);
            Followed?.TryAdd(t, 0);
        }
        foreach (var t in ddl.Dropped)
        {
            tables.Remove(t);
            foreach (var oid in byOid.Where(e => e.Value == t).Select(e => e.Key).ToList())
                byOid.Remove(oid);
        }
        (_tables, _byOid) = (tables, byOid);
        if (Persist is not null)
            await Persist(ddl, cancellationToken).ConfigureAwait(false);
    }

    // Replicating DDL: a synced relation's changes go to the table under the name they were described with, which is
    // its name on the targets at that point of the stream.
    async ValueTask<QualifiedName> FollowedNameAsync(uint oid, QualifiedName described, CancellationToken cancellationToken)
    {
        if (_byOid.ContainsKey(oid) || _tables.Contains(described))
        {
            Followed?.TryAdd(described, 0);
            return described;
        }
        if (_others.Contains(oid))
            return described;
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        if (ReloadTables is not null)
            _tables = [.. _tables, .. await ReloadTables(cancellationToken).ConfigureAwait(false)]; // another node's DDL may have added it
        await ResolveAsync(conn, cancellationToken).ConfigureAwait(false);
        if (_byOid.ContainsKey(oid) || _tables.Contains(described))
        {
            Followed?.TryAdd(described, 0);
            return described;
        }
        var published = await QueryAsync(conn, NamesSql + " JOIN pg_catalog.pg_publication_rel r ON r.prrelid = c.oid JOIN pg_catalog.pg_publication p ON p.oid = r.prpubid WHERE p.pubname = $1 AND c.oid = $2", new object[] { publication, oid }, cancellationToken).ConfigureAwait(false);
        if (published.Count > 0)
            throw new IbexException($"source '{sourceNode}': changes arrive for table {described.Display}, which is not in the sync '{sync}' but is in its publication {publication}; add it with 'ibex sync add-table {sync} {described.Display}', or run ALTER PUBLICATION {Ident.Quote(publication)} DROP TABLE ONLY {described.Quoted} on '{sourceNode}'");
        _others.Add(oid);
        return described;
    }

    string Moved(QualifiedName table, QualifiedName? now)
    {
        var head = $"source '{sourceNode}': table {table.Display} of sync '{sync}'";
        const string resume = "and the sync resumes where it stopped (its changes wait in the slot)";
        if (now is not { } n)
            return $"{head} was dropped on the source; re-create it, or take it out of the sync with 'ibex sync remove-table {sync} {table.Display}'";
        var back = new List<string>();
        if (n.Schema != table.Schema)
            back.Add($"ALTER TABLE {n.Quoted} SET SCHEMA {Ident.Quote(table.Schema)}");
        if (n.Name != table.Name)
            back.Add($"ALTER TABLE {new QualifiedName(table.Schema, n.Name).Quoted} RENAME TO {Ident.Quote(table.Name)}");
        var what = n.Name == table.Name ? "was moved to" : "was renamed to";
        return $"{head} {what} {n.Display} on the source, which Ibex does not replicate yet; put it back ({string.Join("; ", back)}) {resume}, or take it out of the sync with 'ibex sync remove-table {sync} {table.Display}'";
    }

    async Task ResolveAsync(NpgsqlConnection conn, CancellationToken cancellationToken)
    {
        var all = await QueryAsync(conn, NamesSql + " WHERE c.relkind IN ('r', 'p') AND (n.nspname, c.relname) IN (SELECT * FROM unnest($1::text[], $2::text[]))",
            new object[] { _tables.Select(t => t.Schema).ToArray(), _tables.Select(t => t.Name).ToArray() }, cancellationToken).ConfigureAwait(false);
        _byOid = all.Where(e => _tables.Contains(e.Value)).ToDictionary();
    }

    Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
        => NodeConnections.OpenAsync(source, $"source '{sourceNode}'", "catalog", cancellationToken);

    static async Task<Dictionary<uint, QualifiedName>> QueryAsync(NpgsqlConnection conn, string sql, object? args, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        var values = args switch { null => [], object[] many => many, _ => new[] { args } };
        foreach (var a in values)
            cmd.Parameters.Add(a is uint ? new() { Value = a, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Oid } : new() { Value = a });
        var result = new Dictionary<uint, QualifiedName>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            result[r.GetFieldValue<uint>(0)] = new QualifiedName(r.GetString(1), r.GetString(2));
        return result;
    }
}
