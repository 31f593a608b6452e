namespace Ibex.Local;

/// <summary>Finds the PostgreSQL server programs (initdb, pg_ctl) of the newest installed major version ≥ 15.</summary>
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
}
