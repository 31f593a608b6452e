using System.Globalization;
using Ibex.Connections;
using Ibex.Tests.Infrastructure;
using Npgsql;
using Shouldly;

namespace Ibex.Tests.Connections;

/// <summary>Roles whose passwords hold ';', quotes, backslashes, spaces and '=' log in through both libpq forms.</summary>
public class AwkwardPasswordTests(SharedClusters clusters)
{
    [Fact]
    public async Task Awkward_passwords_log_in_with_key_value_and_uri_strings()
    {
        var ct = TestContext.Current.CancellationToken;
        var cluster = await clusters.GetAsync(0);
        var port = cluster.Port.ToString(CultureInfo.InvariantCulture);
                await using var admin = await Scratch.OpenAsync(cluster.NpgsqlConnectionString());
        var roles = new List<string>();
        try
        {
            foreach (var password in ConnectionStringTests.Passwords)
            {
                var role = Names.Unique("pw");
                roles.Add(role);
                // CREATE ROLE takes no parameters: the password travels as a parameter into format(%L).
                await admin.ExecAsync("SELECT set_config('ibex_test.role', $1, false), set_config('ibex_test.password', $2, false)", role, password);
                await admin.ExecAsync("DO $$ BEGIN EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L IN ROLE ibex_password_auth', current_setting('ibex_test.role'), current_setting('ibex_test.password')); END $$");

                foreach (var text in new[]
                         {
                             $"host=127.0.0.1 port={port} dbname=postgres user={role} password={ConnectionStringTests.Quoted(password)}",
                             $"postgresql://{role}:{Uri.EscapeDataString(password)}@127.0.0.1:{port}/postgres",
                         })
                {
                    var settings = ConnectionString.Parse(text);
                    settings.Pooling = false;
                    await using var conn = new NpgsqlConnection(settings.ConnectionString);
                    await conn.OpenAsync(ct);
                    (await conn.ScalarAsync<string>("SELECT current_user")).ShouldBe(role, text);
                }

                // The server really checks the password: a wrong one is refused.
                var wrong = ConnectionString.Parse($"host=127.0.0.1 port={port} dbname=postgres user={role} password={ConnectionStringTests.Quoted(password + "x")}");
                wrong.Pooling = false;
                await using var refused = new NpgsqlConnection(wrong.ConnectionString);
                (await Should.ThrowAsync<PostgresException>(() => refused.OpenAsync(ct))).SqlState.ShouldBe("28P01");
            }
        }
        finally
        {
            foreach (var role in roles)
                await admin.ExecAsync($"DROP ROLE IF EXISTS {Ibex.Sql.Ident.Quote(role)}");
        }
    }
}
