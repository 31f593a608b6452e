namespace Ibex.Tests.Fidelity;

/// <summary>
/// One type of the type matrix: a table that holds it as its key (where PostgreSQL allows one) or as a plain column
/// beside an integer key, four distinct values in text form, and the statements each step of the run makes.
/// </summary>
public sealed record TypeCase(string Name, string Type, bool Key, params string[] Values)
{
    public string Table => "tm_" + Name;

    public string Create => Key ? $"CREATE TABLE {Table} (k {Type} PRIMARY KEY, n int);" : $"CREATE TABLE {Table} (id int PRIMARY KEY, v {Type});";

    /// <summary>Before the sync (the initial copy): values 0 and 1, and a NULL for a plain column.</summary>
    public string Seed => Key ? $"INSERT INTO {Table} VALUES ({V(0)}, 0), ({V(1)}, 1);" : $"INSERT INTO {Table} VALUES (0, {V(0)}), (1, {V(1)}), (2, NULL);";

    /// <summary>A streamed INSERT of value 2.</summary>
    public string Insert => Key ? $"INSERT INTO {Table} VALUES ({V(2)}, 2);" : $"INSERT INTO {Table} VALUES (3, {V(2)});";

    /// <summary>UPDATEs found by key: a non-key column of the row of value 0, and a key change of the row of value 1 to value 3.</summary>
    public string Update => Key
        ? $"UPDATE {Table} SET n = 10 WHERE k = {V(0)}; UPDATE {Table} SET k = {V(3)} WHERE k = {V(1)};"
        : $"UPDATE {Table} SET v = {V(3)} WHERE id = 0; UPDATE {Table} SET id = 10 WHERE id = 1;";

    /// <summary>DELETE of the streamed row.</summary>
    public string Delete => Key ? $"DELETE FROM {Table} WHERE k = {V(2)};" : $"DELETE FROM {Table} WHERE id = 3;";

    /// <summary>An update of the row of value 0 that two nodes make at once, the <paramref name="later"/> one winning.</summary>
    public string ConflictingUpdate(bool later) => Key
        ? $"UPDATE {Table} SET n = {(later ? 200 : 100)} WHERE k = {V(0)};"
        : $"UPDATE {Table} SET v = {V(later ? 2 : 1)} WHERE id = 0;";

    /// <summary>What the row of value 0 holds in the column the conflicting updates wrote, in its output form.</summary>
    public string Conflicted => Key ? $"SELECT row(n)::text FROM {Table} WHERE k = {V(0)}" : $"SELECT row(v)::text FROM {Table} WHERE id = 0";

    /// <summary>What <see cref="ConflictingUpdate"/> wrote, in its output form (a cast to text would keep an xml value's redundant declaration).</summary>
    public string Written(bool later) => Key ? $"SELECT row({(later ? 200 : 100)})::text" : $"SELECT row({V(later ? 2 : 1)})::text";

    /// <summary>Rows left at the end: value 0 (updated) and value 3 (moved key); a plain column also keeps its NULL row.</summary>
    public long FinalRows => Key ? 2 : 3;

    string V(int i) => $"'{Values[i].Replace("'", "''", StringComparison.Ordinal)}'::{Type}";

    public override string ToString() => Name;
}
