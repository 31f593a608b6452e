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
        b = ConnectionString.Parse("host=h;port=5435;database=d;password=\"Ab;cd\"");
        b.Port.ShouldBe(5435);
        b.Database.ShouldBe("d");
        b.Password.ShouldBe("Ab;cd");
    }

    /// <summary>Passwords with every character libpq's grammar gives a meaning to.</summary>
    internal static readonly string[] Passwords =
    [
        "Ab;cd",
        "it's \"quoted\"",
        "back\\slash\\\\two\\",
        "with space",
        "a=b c=d",
        "x;y='z' \\w=v q%41@:/?#&",
    ];

    public static TheoryData<string> AwkwardPasswords => new(Passwords);

    /// <summary>libpq's key=value quoting: single quotes around, backslash before a quote or a backslash.</summary>
    internal static string Quoted(string value) => "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    [Theory]
    [MemberData(nameof(AwkwardPasswords))]
    public void Awkward_password_round_trips_in_both_forms(string password)
    {
        foreach (var text in new[]
                 {
                     $"host=h port=5433 password={Quoted(password)} user=u dbname=d",
                     $"host = h  port= 5433 password ={Quoted(password)} user =u dbname= d",
                     $"postgresql://u:{Uri.EscapeDataString(password)}@h:5433/d",
                     $"postgresql://h:5433/d?user=u&password={Uri.EscapeDataString(password)}",
                 })
        {
            var b = ConnectionString.Parse(text);
            b.Password.ShouldBe(password, text);
            b.Host.ShouldBe("h", text);
            b.Port.ShouldBe(5433, text);
            b.Username.ShouldBe("u", text);
            b.Database.ShouldBe("d", text);
        }
    }

    [Fact]
    public void Unquoted_values_take_backslash_escapes_like_libpq()
    {
        var b = ConnectionString.Parse("host=h password=a\\ b\\\\c\\'d user=u");
        b.Password.ShouldBe("a b\\c'd");
        b.Username.ShouldBe("u");
        ConnectionString.Parse("host=h password='' user=u").Password.ShouldBeNullOrEmpty();
        // A ';' after the first pair is libpq's: the value is the password, not the start of Npgsql syntax.
        b = ConnectionString.Parse("host=h user=u password=Ab;port=1");
        b.Password.ShouldBe("Ab;port=1");
        b.Port.ShouldNotBe(1);
    }

    [Theory]
    [InlineData("host=h password='Ab;crettail' bogus_key=1", "bogus_key")]
    [InlineData("host=h password=Ab;crettail bogus_key=1", "password")]
    [InlineData("host=h password=crettail secondhalf host=h", "password")]
    [InlineData("host=h password=crettail secondhalf=1", "password")]
    [InlineData("host=h password='crettail", "password")]
    [InlineData("postgresql://u:crettail@h/d?bogus_key=1", "bogus_key")]
    [InlineData("postgresql://u:cret%ZZtail@h/d", "password")]
    [InlineData("postgresql://u@h/d?password=cret%ZZtail", "password")]
    [InlineData("postgresql://u@h/d?password=crettail&secondhalf", "password")]
    [InlineData("Host=h;Password='Ab;crettail';Bogus Key=1", "password")]
    [InlineData("Host=h;Password=crettail;Bogus Key=1", "password")]
    [InlineData("Host=h;Bogus Key=1;Password=crettail", "bogus key")]
    [InlineData("Host=h;Password=crettail;secondhalf", "malformed")]
    [InlineData("Host=h;Password=crettail;secondhalf=1", "password")]
    [InlineData("host=h sslpassword=crettail secondhalf=1", "sslpassword")]
    [InlineData("host=h port=crettail", "port")]
    [InlineData("host=h sslmode=crettail", "sslmode")]
    public void Errors_name_the_key_and_never_a_fragment_of_a_value(string text, string key)
    {
        var e = Should.Throw<IbexException>(() => ConnectionString.Parse(text, "node 'a' dsn"));
        e.Message.ShouldContain(key);
        e.Message.ShouldNotContain("\n");
        foreach (var fragment in new[] { "cret", "tail", "Ab;", "secondhalf", "ZZ" })
            e.Message.ShouldNotContain(fragment, Case.Sensitive, e.Message);
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

    [Fact]
    public void The_description_shows_sslmode_unless_it_is_the_default()
    {
        ConnectionString.Redact("host=h port=5432 user=u dbname=d sslmode=verify-full sslrootcert=/etc/ca.crt").ShouldBe("postgresql://u@h:5432/d?sslmode=verify-full");
        ConnectionString.Redact("postgresql://u@h:5432/d?sslmode=disable").ShouldBe("postgresql://u@h:5432/d?sslmode=disable");
        ConnectionString.Redact("host=h port=5432 user=u dbname=d").ShouldBe("postgresql://u@h:5432/d");
    }
}
