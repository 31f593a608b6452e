using Npgsql;

namespace Ibex.Cli.Demo;

/// <summary>The demo's little shop: its schema, seed rows, and a write load of inserts, updates and deletes.</summary>
public static class DemoWorkload
{
    public const string Schema = """
        CREATE SCHEMA shop;
        CREATE TABLE shop.customers (id bigint PRIMARY KEY, name text NOT NULL, email text, created timestamptz NOT NULL DEFAULT now());
        CREATE TABLE shop.orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, amount numeric(12,2) NOT NULL, status text NOT NULL DEFAULT 'new', note text);
        CREATE TABLE shop."Order Items" (order_id bigint, line int, sku text, qty int, PRIMARY KEY (order_id, line));
        """;

    public const string Seed = """
        INSERT INTO shop.customers (id, name, email) SELECT g, 'customer ' || g, 'c' || g || '@example.com' FROM generate_series(1, 1000) g;
        INSERT INTO shop.orders (id, customer_id, amount) SELECT g, 1 + g % 1000, (g % 500) + 0.99 FROM generate_series(1, 5000) g;
        INSERT INTO shop."Order Items" SELECT g, l, 'SKU-' || (g * l) % 97, l FROM generate_series(1, 5000) g, generate_series(1, 2) l;
        """;

    /// <summary>Runs transactions on <paramref name="connectionString"/> until cancelled; ids start at <paramref name="idBase"/>.</summary>
    public static async Task<long> RunAsync(string connectionString, long idBase, int transactionsPerSecond, CancellationToken cancellationToken)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(cancellationToken).ConfigureAwait(false);
        var random = new Random((int)idBase);
        long n = 0;
        var delay = TimeSpan.FromSeconds(1.0 / Math.Max(1, transactionsPerSecond));
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                n++;
                var id = idBase + n;
                var sql = (n % 4) switch
                {
                    // Both writable nodes update the same few hundred orders: some of those updates collide.
                    0 => $"UPDATE shop.orders SET status = 'shipped', note = 'batch {n} from {idBase / 1_000_000}' WHERE id = {random.Next(1, 300)}",
                    1 => $"BEGIN; INSERT INTO shop.orders (id, customer_id, amount) VALUES ({id}, {random.Next(1, 1000)}, {random.Next(1, 900)}.50); INSERT INTO shop.\"Order Items\" VALUES ({id}, 1, 'SKU-{n % 97}', 1); COMMIT",
                    2 => $"UPDATE shop.customers SET email = 'new{n}@example.com' WHERE id = {random.Next(1, 1000)}",
                    _ => $"DELETE FROM shop.\"Order Items\" WHERE order_id = {random.Next(1, 5000)} AND line = 2",
                };
                await using (var cmd = new NpgsqlCommand(sql, conn))
                    await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
        return n;
    }
}
