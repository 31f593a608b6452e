using System.Text;
using Ibex.Changes;
using Ibex.Sql;
using Npgsql;
using NpgsqlTypes;

namespace Ibex.Apply;

/// <summary>
/// The SQL one target uses for one source relation layout: INSERT, COPY, DELETE, and UPDATEs per set of columns
/// present (an UPDATE that left a TOASTed value unchanged does not send it, and must not overwrite it).
/// Columns are matched by name, so column order on the target does not matter.
/// </summary>
public sealed class RelationPlan
{
    readonly Dictionary<string, string> _updates = new(StringComparer.Ordinal);
    readonly int[] _allColumns;

    public RelationPlan(RelationInfo source, QualifiedName target)
    {
        ArgumentNullException.ThrowIfNull(source);
        Source = source;
        Target = target;
        _allColumns = [.. Enumerable.Range(0, source.Columns.Count)];
        var cols = Ident.QuoteList(source.Columns);
        InsertSql = $"INSERT INTO {target.Quoted} ({cols}) VALUES ({string.Join(", ", _allColumns.Select(i => "$" + (i + 1)))})";
        CopySql = $"COPY {target.Quoted} ({cols}) FROM STDIN";
        DeleteSql = $"DELETE FROM {target.Quoted} WHERE {Where(source.IdentityFull ? _allColumns : source.KeyColumns, 1)}";
    }

    public RelationInfo Source { get; }

    public QualifiedName Target { get; }

    public string InsertSql { get; }

    public string CopySql { get; }

    /// <summary>Deletes by key (or, with REPLICA IDENTITY FULL, one row equal to the old row).</summary>
    public string DeleteSql { get; }

    public IReadOnlyList<int> AllColumns => _allColumns;

    /// <summary>Columns identifying a row: the replica identity, or every column with REPLICA IDENTITY FULL.</summary>
    public IReadOnlyList<int> IdentityColumns => Source.IdentityFull ? _allColumns : Source.KeyColumns;

    /// <summary>
    /// The UPDATE for this row: SET every sent column (key columns only when the key changed, i.e. an old row was
    /// sent), WHERE the identity columns equal the old row's, or the new row's when the key did not change.
    /// Parameters: the SET columns in order, then the WHERE columns.
    /// </summary>
    public (string Sql, IReadOnlyList<int> SetColumns, IReadOnlyList<int> WhereColumns, bool WhereFromOld) Update(RowImage newRow, RowImage? oldRow)
    {
        ArgumentNullException.ThrowIfNull(newRow);
        var keyChanged = oldRow is not null;
        if (!keyChanged && !newRow.HasUnchangedToast)
        {
            // The common case (key kept, every value sent): one statement per layout, built once.
            _plainUpdate ??= Update(newRow, oldRow, cache: false);
            return _plainUpdate.Value;
        }
        return Update(newRow, oldRow, cache: true);
    }

    (string Sql, IReadOnlyList<int> SetColumns, IReadOnlyList<int> WhereColumns, bool WhereFromOld)? _plainUpdate;

    (string Sql, IReadOnlyList<int> SetColumns, IReadOnlyList<int> WhereColumns, bool WhereFromOld) Update(RowImage newRow, RowImage? oldRow, bool cache)
    {
        var keyChanged = oldRow is not null;
        var set = new List<int>(_allColumns.Length);
        for (var i = 0; i < _allColumns.Length; i++)
        {
            if (newRow.IsUnchangedToast(i))
                continue;
            if (!keyChanged && !Source.IdentityFull && Source.KeyColumns.Contains(i))
                continue;
            set.Add(i);
        }
        var where = IdentityColumns.Where(i => oldRow is null ? !newRow.IsUnchangedToast(i) : !oldRow.IsUnchangedToast(i)).ToList();
        if (set.Count == 0)
        {
            // Nothing to change but the row must still be found (keeps missing-row accounting honest).
            set.Add(where[0]);
        }
        var key = cache ? string.Join(',', set) + "|" + string.Join(',', where) + "|" + keyChanged : "";
        if (!cache || !_updates.TryGetValue(key, out var sql))
        {
            var sb = new StringBuilder("UPDATE ").Append(Target.Quoted).Append(" SET ");
            for (var k = 0; k < set.Count; k++)
                sb.Append(k > 0 ? ", " : "").Append(Ident.Quote(Source.Columns[set[k]])).Append(" = $").Append(k + 1);
            sb.Append(" WHERE ").Append(Where(where, set.Count + 1));
            sql = sb.ToString();
            if (cache)
                _updates[key] = sql;
        }
        return (sql, set, where, oldRow is not null);
    }

    /// <summary>Identity columns present in a DELETE's old row (unchanged TOAST values in a FULL old row are left out).</summary>
    public IReadOnlyList<int> DeleteColumns(RowImage oldRow)
    {
        ArgumentNullException.ThrowIfNull(oldRow);
        return oldRow.HasUnchangedToast ? [.. IdentityColumns.Where(i => !oldRow.IsUnchangedToast(i))] : IdentityColumns;
    }

    /// <summary>The DELETE for an old row with some TOAST values missing (REPLICA IDENTITY FULL only).</summary>
    public string DeleteSqlFor(IReadOnlyList<int> columns)
        => ReferenceEquals(columns, IdentityColumns) ? DeleteSql : $"DELETE FROM {Target.Quoted} WHERE {Where(columns, 1)}";

    /// <summary>A text parameter the server types from context; NULL for NULL (and for an unchanged TOAST value, which is never sent).</summary>
    public static NpgsqlParameter Param(RowImage row, int i)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new() { Value = (object?)row.Text(i) ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Unknown };
    }

    public NpgsqlBatchCommand InsertCommand(RowImage row)
    {
        var cmd = new NpgsqlBatchCommand(InsertSql);
        foreach (var i in _allColumns)
            cmd.Parameters.Add(Param(row, i));
        return cmd;
    }

    /// <summary>UPDATE for a change; <paramref name="oldRow"/> is the old key (or FULL old row) when the source sent one.</summary>
    public NpgsqlBatchCommand UpdateCommand(RowImage newRow, RowImage? oldRow)
    {
        var (sql, set, where, fromOld) = Update(newRow, oldRow);
        var cmd = new NpgsqlBatchCommand(sql);
        foreach (var i in set)
            cmd.Parameters.Add(Param(newRow, i));
        foreach (var i in where)
            cmd.Parameters.Add(Param(fromOld ? oldRow! : newRow, i));
        return cmd;
    }

    /// <summary>Sets every column of the row with <paramref name="row"/>'s key to <paramref name="row"/>'s values.</summary>
    public NpgsqlBatchCommand OverwriteCommand(RowImage row) => UpdateCommand(row, row);

    public NpgsqlBatchCommand DeleteCommand(RowImage oldRow)
    {
        var cols = DeleteColumns(oldRow);
        var cmd = new NpgsqlBatchCommand(DeleteSqlFor(cols));
        foreach (var i in cols)
            cmd.Parameters.Add(Param(oldRow, i));
        return cmd;
    }

    string Where(IReadOnlyList<int> columns, int firstParam)
    {
        if (!Source.IdentityFull)
            return string.Join(" AND ", columns.Select((c, k) => $"{Ident.Quote(Source.Columns[c])} = {Source.Placeholder(c, firstParam + k)}"));
        // No key: match one row whose text form equals the old row's (types without '=' such as json compare as text).
        var cond = string.Join(" AND ", columns.Select((c, k) => $"{Ident.Quote(Source.Columns[c])}::text IS NOT DISTINCT FROM ${firstParam + k}::text"));
        return $"ctid = (SELECT ctid FROM {Target.Quoted} WHERE {cond} LIMIT 1)";
    }
}
