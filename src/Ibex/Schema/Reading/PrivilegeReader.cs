using Ibex.Schema.Model;

namespace Ibex.Schema.Reading;

/// <summary>
/// Reads GRANTed privileges of relations, sequences, functions, schemas, types, foreign data wrappers and servers as
/// one object per (object, grantee). The owner's own privileges are left out, so databases with different owners
/// still compare equal, and so are grants equal to <see cref="DefaultPrivileges"/>.
/// </summary>
internal static class PrivilegeReader
{
    const string Sql = """
        SELECT 'pg_class'::regclass::oid, c.oid, a.grantee, CASE WHEN a.grantee = 0 THEN NULL ELSE pg_get_userbyid(a.grantee)::text END, a.privilege_type, a.is_grantable
        FROM pg_class c
        CROSS JOIN LATERAL aclexplode(coalesce(c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner))) a
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND c.relnamespace = ANY($1) AND a.grantee <> c.relowner
        UNION ALL
        SELECT 'pg_proc'::regclass::oid, p.oid, a.grantee, CASE WHEN a.grantee = 0 THEN NULL ELSE pg_get_userbyid(a.grantee)::text END, a.privilege_type, a.is_grantable
        FROM pg_proc p
        CROSS JOIN LATERAL aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
        WHERE p.pronamespace = ANY($1) AND a.grantee <> p.proowner
        UNION ALL
        SELECT 'pg_namespace'::regclass::oid, n.oid, a.grantee, CASE WHEN a.grantee = 0 THEN NULL ELSE pg_get_userbyid(a.grantee)::text END, a.privilege_type, a.is_grantable
        FROM pg_namespace n
        CROSS JOIN LATERAL aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a
        WHERE n.oid = ANY($1) AND a.grantee <> n.nspowner
        UNION ALL
        SELECT 'pg_type'::regclass::oid, t.oid, a.grantee, CASE WHEN a.grantee = 0 THEN NULL ELSE pg_get_userbyid(a.grantee)::text END, a.privilege_type, a.is_grantable
        FROM pg_type t
        CROSS JOIN LATERAL aclexplode(coalesce(t.typacl, acldefault('T', t.typowner))) a
        WHERE t.typtype IN ('e', 'd', 'c', 'r') AND t.typnamespace = ANY($1) AND a.grantee <> t.typowner
        UNION ALL
        SELECT 'pg_foreign_data_wrapper'::regclass::oid, w.oid, a.grantee, CASE WHEN a.grantee = 0 THEN NULL ELSE pg_get_userbyid(a.grantee)::text END, a.privilege_type, a.is_grantable
        FROM pg_foreign_data_wrapper w
        CROSS JOIN LATERAL aclexplode(coalesce(w.fdwacl, acldefault('F', w.fdwowner))) a
        WHERE a.grantee <> w.fdwowner
        UNION ALL
        SELECT 'pg_foreign_server'::regclass::oid, s.oid, a.grantee, CASE WHEN a.grantee = 0 THEN NULL ELSE pg_get_userbyid(a.grantee)::text END, a.privilege_type, a.is_grantable
        FROM pg_foreign_server s
        CROSS JOIN LATERAL aclexplode(coalesce(s.srvacl, acldefault('S', s.srvowner))) a
        WHERE a.grantee <> s.srvowner
        """;

    public static async Task ReadAsync(CatalogSession session, CancellationToken cancellationToken)
    {
        var b = session.Builder;
        var grants = new Dictionary<(string Key, uint Grantee), (string? Name, SortedSet<string> Privileges)>();
        await session.QueryAsync(Sql, row =>
        {
            var address = new ObjectAddress(row.Oid(0), row.Oid(1));
            if (b.KeyOf(address) is not { } key || b.Find(key)?.PrivilegeTarget is null)
                return;
            var id = (key, row.Oid(2));
            if (!grants.TryGetValue(id, out var entry))
                grants[id] = entry = (row.StringOrNull(3), new SortedSet<string>(StringComparer.Ordinal));
            entry.Privileges.Add(row.GetString(4) + (row.GetBoolean(5) ? "*" : ""));
        }, cancellationToken).ConfigureAwait(false);
        foreach (var ((key, _), (name, privileges)) in grants)
        {
            var target = b.Find(key)!;
            if (!privileges.SetEquals(DefaultPrivileges.For(target.PrivilegeTarget!, name)))
                b.Add(new PrivilegeObject(key, target.Display, target.PrivilegeTarget!, name, [.. privileges]));
        }
        // PUBLIC's default EXECUTE or USAGE revoked: no rows above, but a difference from a new object's grants.
        foreach (var key in b.AllKeys.ToList())
        {
            var target = b.Find(key)!;
            if (target.PrivilegeTarget is { } t && DefaultPrivileges.For(t, null).Count > 0 && !grants.ContainsKey((key, 0)))
                b.Add(new PrivilegeObject(key, target.Display, t, null, []));
        }
    }
}
