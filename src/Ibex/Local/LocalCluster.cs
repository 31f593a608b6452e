using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Ibex.Local;

/// <summary>
/// A throwaway PostgreSQL cluster on 127.0.0.1 and a free port, with logical decoding enabled: used by
/// <c>ibex demo</c>, the test fixtures and the benchmark. When running as root, initdb and pg_ctl run as the
/// <c>postgres</c> OS user. Dispose stops the server and deletes its folder.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    internal const string OwnerFile = "ibex-owner.pid";
    static readonly SemaphoreSlim PortLock = new(1, 1);
    static readonly HashSet<int> PortsHandedOut = [];

    readonly PostgresInstall _install;
    bool _disposed;

    internal LocalCluster(PostgresInstall install, string dir, int port)
    {
        _install = install;
        Directory = dir;
        Port = port;
    }

    /// <summary>The server programs it runs with.</summary>
    internal PostgresInstall Install => _install;

    /// <summary>The major version it runs, when it was started for a given one.</summary>
    public int? Major => _install.Major;

    /// <summary>The cluster folder (data in <c>data/</c>, socket and log beside it).</summary>
    public string Directory { get; }

    public int Port { get; }

    public string DataDirectory => Path.Combine(Directory, "data");

    public string LogFile => Path.Combine(Directory, "server.log");

    /// <summary>A libpq key=value connection string for a database on this cluster, as superuser <c>postgres</c>.</summary>
    public string ConnectionString(string database = "postgres", string user = "postgres")
        => $"host=127.0.0.1 port={Port.ToString(CultureInfo.InvariantCulture)} dbname={database} user={user}";

    /// <summary>An Npgsql connection string for a database on this cluster.</summary>
    public string NpgsqlConnectionString(string database = "postgres")
        => $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Database={database};Username=postgres;Pooling=false;Timeout=15";

    /// <summary>Creates and starts a cluster. <paramref name="extraConf"/> lines are appended to postgresql.conf.</summary>
    public static Task<LocalCluster> StartAsync(string name, IEnumerable<string>? extraConf = null, CancellationToken cancellationToken = default)
        => StartAsync(name, new PostgresInstall(PostgresBinaries.Require(), null, null), extraConf, cancellationToken);

    /// <summary>Creates and starts a cluster of the given major version (see <see cref="PostgresBinaries.Find(int)"/>).</summary>
    public static Task<LocalCluster> StartAsync(string name, int major, IEnumerable<string>? extraConf = null, CancellationToken cancellationToken = default)
        => StartAsync(name, PostgresBinaries.Require(major), extraConf, cancellationToken);

    static async Task<LocalCluster> StartAsync(string name, PostgresInstall install, IEnumerable<string>? extraConf, CancellationToken cancellationToken)
    {
        var bin = install.Bin;
        CleanStale();
        var dir = System.IO.Directory.CreateTempSubdirectory($"ibex-pg-{Ident(name)}-").FullName;
        await File.WriteAllTextAsync(Path.Combine(dir, OwnerFile), Environment.ProcessId.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
        var asPostgres = Environment.UserName == "root";
        if (asPostgres)
            await RunAsync("chown", ["postgres:postgres", dir], null, cancellationToken).ConfigureAwait(false);
        var data = Path.Combine(dir, "data");
        await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "--no-instructions", "-E", "UTF8", "--locale=C.UTF-8"], asPostgres ? "postgres" : null, cancellationToken, install.LibraryPath).ConfigureAwait(false);

        for (var attempt = 0; ; attempt++)
        {
            var port = await FreePortAsync(cancellationToken).ConfigureAwait(false);
            var cluster = new LocalCluster(install, dir, port);
            var conf = new List<string>
            {
                $"port = {port}",
                "listen_addresses = '127.0.0.1'",
                $"unix_socket_directories = '{dir}'",
                "wal_level = logical",
                "track_commit_timestamp = on",
                "max_replication_slots = 40",
                "max_wal_senders = 40",
                "max_connections = 200",
                "max_worker_processes = 16",
                "fsync = off",
                "full_page_writes = off",
                "shared_buffers = 64MB",
                "wal_sender_timeout = 30s",
                "logging_collector = off",
                "log_min_messages = warning",
                "log_line_prefix = '%m [%p] %q%u@%d '",
                "max_prepared_transactions = 10",
            };
            if (extraConf is not null)
                conf.AddRange(extraConf);
            var confPath = Path.Combine(data, "postgresql.conf");
            var baseConf = attempt == 0 ? await File.ReadAllTextAsync(confPath, cancellationToken).ConfigureAwait(false) : File.ReadAllText(confPath + ".orig");
            if (attempt == 0)
                await File.WriteAllTextAsync(confPath + ".orig", baseConf, cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(confPath, baseConf + "\n# ibex local cluster\n" + string.Join('\n', conf) + "\n", cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(Path.Combine(data, "pg_hba.conf"),
                "local all all trust\n" +
                "host all +ibex_password_auth 127.0.0.1/32 scram-sha-256\n" +
                "host all all 127.0.0.1/32 trust\n" +
                "host replication +ibex_password_auth 127.0.0.1/32 scram-sha-256\n" +
                "host replication all 127.0.0.1/32 trust\n", cancellationToken).ConfigureAwait(false);
            try
            {
                await cluster.StartServerAsync(cancellationToken).ConfigureAwait(false);
                await cluster.ExecuteAsync("postgres", "CREATE ROLE ibex_password_auth NOLOGIN", cancellationToken).ConfigureAwait(false);
                return cluster;
            }
            catch (IbexException) when (attempt < 3)
            {
                // Another process took the port between our probe and the server's bind; try another.
            }
        }
    }

    /// <summary>Starts the server (again); waits until it accepts connections.</summary>
    public async Task StartServerAsync(CancellationToken cancellationToken = default)
    {
        await PgCtlAsync(["-D", DataDirectory, "-l", LogFile, "-w", "-t", "60", "start"], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the server: <c>fast</c> (clean) or <c>immediate</c> (as a crash would).</summary>
    public async Task StopServerAsync(string mode = "fast", CancellationToken cancellationToken = default)
    {
        await PgCtlAsync(["-D", DataDirectory, "-m", mode, "-w", "-t", "60", "stop"], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reloads the configuration (after appending settings with <see cref="AppendConfAsync"/>).</summary>
    public async Task AppendConfAsync(string line, CancellationToken cancellationToken = default)
    {
        await File.AppendAllTextAsync(Path.Combine(DataDirectory, "postgresql.conf"), line + "\n", cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> IsRunningAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await PgCtlAsync(["-D", DataDirectory, "status"], cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (IbexException)
        {
            return false;
        }
    }

    /// <summary>Creates a database (UTF8).</summary>
    public async Task CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
        => await ExecuteAsync("postgres", $"CREATE DATABASE {Sql.Ident.Quote(name)} TEMPLATE template0 ENCODING 'UTF8'", cancellationToken).ConfigureAwait(false);

    /// <summary>Runs SQL on a database of this cluster as superuser.</summary>
    public async Task ExecuteAsync(string database, string sql, CancellationToken cancellationToken = default)
    {
        await using var conn = new NpgsqlConnection(NpgsqlConnectionString(database));
        await conn.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        try
        {
            await PgCtlAsync(["-D", DataDirectory, "-m", "immediate", "-w", "-t", "30", "stop"], CancellationToken.None).ConfigureAwait(false);
        }
        catch (IbexException)
        {
            // Already stopped.
        }
        TryDelete(Directory);
        lock (PortsHandedOut)
            PortsHandedOut.Remove(Port);
    }

    async Task PgCtlAsync(string[] args, CancellationToken cancellationToken)
        => await RunAsync(Path.Combine(_install.Bin, "pg_ctl"), args, Environment.UserName == "root" ? "postgres" : null, cancellationToken, _install.LibraryPath).ConfigureAwait(false);

    internal static async Task<int> FreePortAsync(CancellationToken cancellationToken)
    {
        await PortLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var i = 0; i < 50; i++)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                listener.Stop();
                lock (PortsHandedOut)
                    if (PortsHandedOut.Add(port))
                        return port;
            }
            throw new IbexException("no free TCP port found on 127.0.0.1");
        }
        finally
        {
            PortLock.Release();
        }
    }

    /// <summary>Stops and removes clusters left behind by processes that died without cleaning up.</summary>
    static void CleanStale()
    {
        foreach (var dir in System.IO.Directory.GetDirectories(Path.GetTempPath(), "ibex-pg-*"))
        {
            var owner = Path.Combine(dir, OwnerFile);
            if (!File.Exists(owner) || !int.TryParse(File.ReadAllText(owner), CultureInfo.InvariantCulture, out var pid))
                continue;
            if (pid == Environment.ProcessId || ProcessExists(pid))
                continue;
            var pidFile = Path.Combine(dir, "data", "postmaster.pid");
            if (File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), CultureInfo.InvariantCulture, out var postmaster))
            {
                try
                {
                    Process.GetProcessById(postmaster).Kill();
                }
                catch (ArgumentException)
                {
                }
                catch (InvalidOperationException)
                {
                }
            }
            TryDelete(dir);
        }
    }

    static bool ProcessExists(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    static void TryDelete(string dir)
    {
        try
        {
            System.IO.Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    static string Ident(string name) => new(name.Where(char.IsAsciiLetterOrDigit).Take(20).ToArray());

    internal static async Task RunAsync(string file, string[] args, string? asUser, CancellationToken cancellationToken, string? libraryPath = null)
    {
        var psi = new ProcessStartInfo
        {
            FileName = asUser is null ? file : "runuser",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        if (asUser is not null)
        {
            psi.ArgumentList.Add("-u");
            psi.ArgumentList.Add(asUser);
            psi.ArgumentList.Add("--");
            psi.ArgumentList.Add(file);
        }
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        if (libraryPath is not null)
            psi.Environment["LD_LIBRARY_PATH"] = libraryPath; // kept by runuser; pg_ctl passes it on to postgres
        using var p = Process.Start(psi) ?? throw new IbexException($"could not start {file}");
        // pg_ctl start leaves the postmaster holding inherited pipes; read to the end only from the main process.
        var stdout = p.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = p.StandardError.ReadToEndAsync(cancellationToken);
        await p.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (p.ExitCode != 0)
        {
            var err = await Task.WhenAny(stderr, Task.Delay(2000, cancellationToken)).ConfigureAwait(false) == stderr ? await stderr.ConfigureAwait(false) : "";
            var outText = await Task.WhenAny(stdout, Task.Delay(500, cancellationToken)).ConfigureAwait(false) == stdout ? await stdout.ConfigureAwait(false) : "";
            throw new IbexException($"{Path.GetFileName(file)} {string.Join(' ', args)} failed (exit {p.ExitCode}): {(err + outText).Trim().ReplaceLineEndings(" ")}");
        }
    }
}
