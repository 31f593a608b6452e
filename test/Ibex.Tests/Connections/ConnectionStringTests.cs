using Ibex.Connections;
using Npgsql;
using Shouldly;

namespace Ibex.Tests.Connections;

public class ConnectionStringTests
{
    [Fact]
    public void Uri_with_everything_is_understood()
    {
        var b = ConnectionString.Parse("postgresql://alice:s%40cret@db.example.com:6543/sales?sslmode=require&application_name=ibex");
        b.Host.ShouldBe("db.example.com");
        b.Port.ShouldBe(6543);
        b.Database.ShouldBe("sales");
        b.Username.ShouldBe("alice");
        b.Password.ShouldBe("s@cret");
        b.SslMode.ShouldBe(SslMode.Require);
        b.ApplicationName.ShouldBe("ibex");
    }

    [Fact]
    public void Key_value_form_with_quotes_is_understood()
    {
        var b = ConnectionString.Parse("host=127.0.0.1 port=5433 dbname='my db' user=bob password='it\\'s'");
        b.Host.ShouldBe("127.0.0.1");
        b.Port.ShouldBe(5433);
        b.Database.ShouldBe("my db");
        b.Password.ShouldBe("it's");
    }

    [Fact]
    public void Npgsql_form_still_works()
    {
        var b = ConnectionString.Parse("Host=h;Port=5434;Database=d;Username=u");
        b.Host.ShouldBe("h");
        b.Port.ShouldBe(5434);
    }

    [Fact]
    public void Ipv6_and_socket_hosts()
    {
        ConnectionString.Parse("postgres://u@[::1]:5000/d").Host.ShouldBe("::1");
        ConnectionString.Parse("postgresql://u@%2Fvar%2Frun%2Fpostgresql/d").Host.ShouldBe("/var/run/postgresql");
    }

    [Theory]
    [InlineData("postgresql://u@h:notaport/d", "port")]
    [InlineData("host=h bogus=1", "bogus")]
    [InlineData("host=h dbname='unterminated", "unterminated")]
    [InlineData("Host=h;Nonsense=3", "malformed")]
    [InlineData("   ", "empty")]
    public void Malformed_strings_are_one_line_errors(string text, string mentions)
    {
        var e = Should.Throw<IbexException>(() => ConnectionString.Parse(text, "node 'a' dsn"));
        e.Message.ShouldContain(mentions);
        e.Message.ShouldNotContain("\n");
    }

    [Fact]
    public void Redaction_never_shows_the_password()
    {
        var shown = ConnectionString.Redact("postgresql://alice:topsecret@h:5432/d");
        shown.ShouldNotContain("topsecret");
        shown.ShouldBe("postgresql://alice@h:5432/d");
        ConnectionString.Redact("host=h password=topsecret user=x dbname=y").ShouldNotContain("topsecret");
    }
}
