using Ibex.Schema.Model;

namespace Ibex.Schema.Diffing;

/// <summary>
/// GRANT and REVOKE for one grantee on one object. Privileges are names with <c>*</c> appended when grantable;
/// an object without a privilege object has <see cref="DefaultPrivileges"/>.
/// </summary>
internal sealed class PrivilegeDiffer : IObjectDiffer
{
    public IReadOnlyList<PlannedStatement> Create(SchemaObject obj, SchemaModel source, DiffContext context)
    {
        var p = (PrivilegeObject)obj;
        return Change(p, DefaultPrivileges.For(p.Target, p.Grantee), p.Privileges);
    }

    public IReadOnlyList<PlannedStatement> Drop(SchemaObject obj, DiffContext context)
    {
        var p = (PrivilegeObject)obj;
        return Change(p, p.Privileges, DefaultPrivileges.For(p.Target, p.Grantee));
    }

    public AlterResult? Alter(SchemaObject from, SchemaObject to, DiffContext context)
        => new(Change((PrivilegeObject)from, ((PrivilegeObject)to).Privileges, ((PrivilegeObject)from).Privileges));

    static List<PlannedStatement> Change(PrivilegeObject p, IReadOnlyList<string> have, IReadOnlyList<string> want)
    {
        var statements = new List<PlannedStatement>();
        var haveNames = have.Select(Name).ToHashSet(StringComparer.Ordinal);
        var wantNames = want.Select(Name).ToHashSet(StringComparer.Ordinal);
        var revoke = haveNames.Except(wantNames).Order(StringComparer.Ordinal).ToList();
        if (revoke.Count > 0)
            statements.Add(new($"REVOKE {string.Join(", ", revoke)} ON {p.Target} FROM {p.GranteeSql};"));
        var revokeOption = have.Where(h => h.EndsWith('*') && want.Contains(Name(h))).Select(Name).ToList();
        if (revokeOption.Count > 0)
            statements.Add(new($"REVOKE GRANT OPTION FOR {string.Join(", ", revokeOption)} ON {p.Target} FROM {p.GranteeSql};"));
        var grant = want.Where(w => !w.EndsWith('*') && !haveNames.Contains(w)).ToList();
        if (grant.Count > 0)
            statements.Add(new($"GRANT {string.Join(", ", grant)} ON {p.Target} TO {p.GranteeSql};"));
        var grantOption = want.Where(w => w.EndsWith('*') && !have.Contains(w)).Select(Name).ToList();
        if (grantOption.Count > 0)
            statements.Add(new($"GRANT {string.Join(", ", grantOption)} ON {p.Target} TO {p.GranteeSql} WITH GRANT OPTION;"));
        return statements;
    }

    static string Name(string privilege) => privilege.TrimEnd('*');
}
