using Ibex.Catalog;
using Shouldly;

namespace Ibex.Tests.Versions;

/// <summary>The version checks of <c>ibex node add</c> (no PostgreSQL older than 15 is installed here to connect to).</summary>
public class ServerVersionTests
{
    static ServerChecks.ServerFacts Facts(int versionNum, string version) => new(versionNum, version, "logical", true, true, true, 10, 10);

    [Fact]
    public void A_node_older_than_15_is_refused_naming_the_version_needed()
    {
        var e = Should.Throw<IbexException>(() => ServerChecks.Require("legacy", Facts(140012, "14.12")));
        e.Message.ShouldBe("node 'legacy': PostgreSQL 14.12 is too old; Ibex needs PostgreSQL 15 or later");
        Should.NotThrow(() => ServerChecks.Require("current", Facts(150010, "15.10")));
    }
}
