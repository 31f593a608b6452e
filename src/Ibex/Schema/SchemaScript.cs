using System.Text;
using Ibex.Sql;

namespace Ibex.Schema;

/// <summary>
/// Renders statements as a psql-runnable script: non-transactional statements before BEGIN and after COMMIT,
/// everything else in one transaction that first pins <c>search_path</c> (definitions were read that way) and
/// turns off function body checks (bodies may mention tables created later in the script). Each hazardous
/// statement is preceded by <c>-- hazard: …</c> lines.
/// </summary>
internal static class SchemaScript
{
    static readonly string Preamble = $"SET LOCAL search_path TO {Ident.Quote("pg_catalog")};\nSET LOCAL check_function_bodies TO off;\n";

    public static string Render(IReadOnlyList<SchemaStatement> statements)
    {
        if (statements.Count == 0)
            return "";
        var sb = new StringBuilder();
        var inTransaction = false;
        foreach (var s in statements)
        {
            if (s.Transactional && !inTransaction)
            {
                sb.Append("BEGIN;\n").Append(Preamble);
                inTransaction = true;
            }
            else if (!s.Transactional && inTransaction)
            {
                sb.Append("COMMIT;\n");
                inTransaction = false;
            }
            foreach (var h in s.Hazards)
                sb.Append("-- hazard: ").Append(h.ReplaceLineEndings(" ")).Append('\n');
            sb.Append(s.Sql).Append('\n');
        }
        if (inTransaction)
            sb.Append("COMMIT;\n");
        return sb.ToString();
    }
}
