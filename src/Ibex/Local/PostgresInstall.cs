namespace Ibex.Local;

/// <summary>One installation of the PostgreSQL server programs.</summary>
/// <param name="Bin">The folder holding initdb, pg_ctl and postgres.</param>
/// <param name="LibraryPath">Shared libraries to run them with (LD_LIBRARY_PATH), for builds outside the system's paths; else null.</param>
/// <param name="Major">The major version, when known from where it was found.</param>
public sealed record PostgresInstall(string Bin, string? LibraryPath, int? Major);
