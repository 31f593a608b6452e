namespace Ibex.Import;

/// <summary>One row of Bucardo's <c>bucardo.db</c>: a database Bucardo connects to.</summary>
public sealed record BucardoDb(string Name)
{
    /// <summary><c>postgres</c>, or another engine Bucardo can write to (mysql, mongo, redis, sqlite, ...).</summary>
    public string Type { get; init; } = "postgres";

    public string? Host { get; init; }

    public string? Port { get; init; }

    public string? DbName { get; init; }

    public string? User { get; init; }

    /// <summary>The password stored in Bucardo's catalog (used to connect, never printed).</summary>
    public string? Password { get; init; }

    /// <summary>Extra libpq parameters Bucardo appends to the DSN (<c>dbconn</c>), e.g. <c>sslmode=require</c>.</summary>
    public string? Conn { get; init; }

    /// <summary>A pg_service.conf service name (<c>dbservice</c>).</summary>
    public string? Service { get; init; }

    /// <summary>A password file (<c>pgpass</c>).</summary>
    public string? PassFile { get; init; }

    /// <summary>A full DBI DSN (<c>dbdsn</c>) that overrides the separate fields.</summary>
    public string? Dsn { get; init; }

    /// <summary>active, inactive or stalled.</summary>
    public string Status { get; init; } = "active";

    /// <summary>Changes Bucardo applies here are recorded again, so syncs reading from here pass them on.</summary>
    public bool MakeDelta { get; init; }

    public bool ServerSidePrepares { get; init; } = true;
}
