namespace Ibex.Import;

/// <summary>One row of Bucardo's <c>bucardo.dbmap</c> for a sync's dbgroup: a database and its role (source, target, fullcopy).</summary>
public sealed record BucardoMember(string Db, string Role, int Priority);
