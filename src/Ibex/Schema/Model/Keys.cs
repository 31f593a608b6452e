using Ibex.Sql;

namespace Ibex.Schema.Model;

/// <summary>Object keys: a kind word and the quoted name, so keys of different objects never collide.</summary>
internal static class Keys
{
    public static string Schema(string name) => "schema " + Ident.Quote(name);

    public static string Extension(string name) => "extension " + Ident.Quote(name);

    /// <summary>Enums, domains and composite types share one name space.</summary>
    public static string Type(QualifiedName name) => "type " + name.Quoted;

    public static string Sequence(QualifiedName name) => "sequence " + name.Quoted;

    public static string Table(QualifiedName name) => "table " + name.Quoted;

    public static string Column(QualifiedName table, string column) => "column " + table.Quoted + "." + Ident.Quote(column);

    public static string Constraint(QualifiedName table, string name) => "constraint " + table.Quoted + "." + Ident.Quote(name);

    public static string Index(QualifiedName name) => "index " + name.Quoted;

    public static string View(QualifiedName name, bool materialized) => (materialized ? "materialized view " : "view ") + name.Quoted;

    public static string Function(QualifiedName name, string identityArguments) => "function " + name.Quoted + "(" + identityArguments + ")";

    public static string Trigger(QualifiedName table, string name) => "trigger " + table.Quoted + "." + Ident.Quote(name);

    public static string Policy(QualifiedName table, string name) => "policy " + table.Quoted + "." + Ident.Quote(name);
}
