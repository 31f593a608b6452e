namespace Ibex.Local;

/// <summary>
/// Finds the PostgreSQL server programs (initdb, pg_ctl): by default the newest installed major version ≥ 15 (Debian's
/// packages, or IBEX_PG_BIN); for a given major version, Debian's packages or the builds that
/// <c>scripts/ensure-postgres-versions.sh</c> unpacks into its cache.
/// </summary>
public static class PostgresBinaries
{
    /// <summary>The folder holding initdb and pg_ctl, or null when no server is installed.</summary>
    public static string? Find()
    {
        var env = Environment.GetEnvironmentVariable("IBEX_PG_BIN");
        if (!string.IsNullOrEmpty(env) && File.Exists(Path.Combine(env, "initdb")))
            return env;
        const string root = "/usr/lib/postgresql";
        if (Directory.Exists(root))
        {
            var best = Directory.GetDirectories(root)
                .Select(d => (dir: d, ok: int.TryParse(Path.GetFileName(d), out var v), v))
                .Where(x => x.ok && x.v >= 15 && File.Exists(Path.Combine(x.dir, "bin", "initdb")))
                .OrderByDescending(x => x.v)
                .FirstOrDefault();
            if (best.dir is not null)
                return Path.Combine(best.dir, "bin");
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            if (File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")))
                return dir;
        return null;
    }

    /// <summary>Like <see cref="Find"/>, but throws an operator-facing error saying what to install.</summary>
    public static string Require() => Find() ?? throw new IbexException(
        "PostgreSQL server programs (initdb, pg_ctl) not found; install them with 'apt-get install -y postgresql-15' (Debian/Ubuntu) or set IBEX_PG_BIN to their folder");

    /// <summary>Where <c>scripts/ensure-postgres-versions.sh</c> keeps the builds it fetches.</summary>
    public static string Cache => Environment.GetEnvironmentVariable("IBEX_PG_CACHE") is { Length: > 0 } c ? c
        : Environment.UserName == "root" ? "/var/cache/ibex/postgres"
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "ibex", "postgres");

    /// <summary>The server programs of one major version, or null when that version is not installed.</summary>
    public static PostgresInstall? Find(int major)
    {
        var debian = $"/usr/lib/postgresql/{major}/bin";
        if (File.Exists(Path.Combine(debian, "initdb")))
            return new PostgresInstall(debian, null, major);
        var cached = Path.Combine(Cache, major.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return File.Exists(Path.Combine(cached, "bin", "initdb")) ? new PostgresInstall(Path.Combine(cached, "bin"), Path.Combine(cached, "lib"), major) : null;
    }

    /// <summary>Like <see cref="Find(int)"/>, but throws an error saying how to install that version.</summary>
    public static PostgresInstall Require(int major) => Find(major) ?? throw new IbexException(
        $"PostgreSQL {major} server programs not found (in /usr/lib/postgresql/{major} or {Cache}/{major}); install them with 'scripts/ensure-postgres-versions.sh {major}'");
}
