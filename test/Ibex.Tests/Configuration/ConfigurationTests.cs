using System.CommandLine;
using Ibex.Cli;
using Ibex.Cli.Configuration;
using Ibex.Tests.Infrastructure;
using Ibex.Tests.Operations;
using Shouldly;

namespace Ibex.Tests.Configuration;

/// <summary>Options from IBEX_* environment variables and the config file, with the command line first.</summary>
public class ConfigurationTests(SharedClusters clusters)
{
    static (ParseResult Parse, string Error, int? Code) Parse(string[] args, Dictionary<string, string> env)
    {
        var error = new StringWriter();
        var context = new CliContext(TextWriter.Null, error, n => env.GetValueOrDefault(n));
        var root = IbexCli.Build(context);
        try
        {
            return (OptionSources.Complete(root, args, root.Parse(args), context.Environment), "", null);
        }
        catch (IbexException e)
        {
            return (root.Parse(args), e.Message, e.ExitCode);
        }
    }

    static async Task<(int Code, string Output, string Error)> RunAsync(string[] args, Dictionary<string, string> env)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await IbexCli.RunAsync(args, new CliContext(output, error, n => env.GetValueOrDefault(n)), TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }

    static string ConfigFile(params string[] lines)
    {
        var path = Path.Combine(Path.GetTempPath(), Names.Unique("ibexconf") + ".conf");
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void Environment_variable_fills_an_option_the_command_line_left_out()
    {
        var (parse, error, _) = Parse(["run"], new() { ["IBEX_QUEUE_MEMORY_MB"] = "7", ["IBEX_HEARTBEAT"] = "3s", ["IBEX_SYNC"] = "a, b" });
        error.ShouldBeEmpty();
        parse.Errors.ShouldBeEmpty();
        parse.GetValue<int>("--queue-memory-mb").ShouldBe(7);
        parse.GetValue<string>("--heartbeat").ShouldBe("3s");
        parse.GetValue<string[]>("--sync").ShouldBe(["a", "b"]);
    }

    [Fact]
    public void Command_line_beats_environment_and_environment_beats_config_file()
    {
        var file = ConfigFile("# daemon settings", "", "queue-memory-mb = 9", "spill-dir = '/var/tmp/ibex'", "verbose = yes");
        try
        {
            var env = new Dictionary<string, string> { ["IBEX_CONFIG"] = file, ["IBEX_QUEUE_MEMORY_MB"] = "7" };
            var (parse, _, _) = Parse(["run"], env);
            parse.GetValue<int>("--queue-memory-mb").ShouldBe(7);
            parse.GetValue<string>("--spill-dir").ShouldBe("/var/tmp/ibex");
            parse.GetValue<bool>("--verbose").ShouldBeTrue();

            (parse, _, _) = Parse(["run", "--queue-memory-mb", "5", "--spill-dir", "/tmp"], env);
            parse.GetValue<int>("--queue-memory-mb").ShouldBe(5);
            parse.GetValue<string>("--spill-dir").ShouldBe("/tmp");

            (parse, _, _) = Parse(["--config", file, "run"], []);
            parse.GetValue<int>("--queue-memory-mb").ShouldBe(9);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Unknown_key_in_the_config_file_is_a_one_line_error_naming_key_and_file()
    {
        var file = ConfigFile("queue-memory-mb = 9", "queue-memroy-mb = 10");
        try
        {
            var (code, output, error) = await RunAsync(["--config", file, "run"], []);
            code.ShouldNotBe(0);
            output.ShouldBeEmpty();
            error.TrimEnd().ShouldNotContain('\n');
            error.ShouldContain("queue-memroy-mb");
            error.ShouldContain(file);

            // ibex check answers as a Nagios plugin even then.
            (code, output, _) = await RunAsync(["check"], new() { ["IBEX_CONFIG"] = file });
            code.ShouldBe(3);
            output.ShouldStartWith("IBEX_SYNC UNKNOWN:");
            output.ShouldContain("queue-memroy-mb");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_bad_value_names_the_variable_it_came_from()
    {
        var (code, _, error) = await RunAsync(["run"], new() { ["IBEX_QUEUE_MEMORY_MB"] = "lots" });
        code.ShouldNotBe(0);
        error.ShouldContain("IBEX_QUEUE_MEMORY_MB");
    }

    [Fact]
    public async Task Control_from_a_config_file_reaches_a_command_and_its_password_is_never_printed()
    {
        await using var s = await Scenario.CreateAsync(clusters, "a");
        var file = ConfigFile($"control = {s.ControlDsn}");
        var secret = ConfigFile("control = postgresql://ibex:s3cr3t-pw@127.0.0.1:1/nowhere");
        try
        {
            var (code, output, error) = await RunAsync(["--config", file, "node", "add", "a", "--dsn", s.Dsn("a")], []);
            code.ShouldBe(0, error);
            (code, output, error) = await RunAsync(["node", "list"], new() { ["IBEX_CONFIG"] = file });
            code.ShouldBe(0, error);
            output.ShouldContain(s.Nodes[0].Database);

            // The command line and the environment come first: a dead control database in the file is never used.
            (code, _, error) = await RunAsync(["node", "list", "--control", s.ControlDsn], new() { ["IBEX_CONFIG"] = secret });
            code.ShouldBe(0, error);
            (code, _, error) = await RunAsync(["node", "list"], new() { ["IBEX_CONFIG"] = secret, ["IBEX_CONTROL"] = s.ControlDsn });
            code.ShouldBe(0, error);

            (code, output, error) = await RunAsync(["node", "list"], new() { ["IBEX_CONFIG"] = secret });
            code.ShouldNotBe(0);
            (output + error).ShouldNotContain("s3cr3t-pw");
        }
        finally
        {
            File.Delete(file);
            File.Delete(secret);
        }
    }

    [Fact]
    public async Task Daemon_process_takes_its_settings_from_environment_and_config_file_and_stops_cleanly_on_sigterm()
    {
        await using var s = await Scenario.CreateAsync(clusters, "a");
        var file = ConfigFile("# as in /etc/ibex/ibex.conf", $"control = \"{s.ControlDsn}\"", "queue-memory-mb = 9", "heartbeat = 4s");
        try
        {
            await using var daemon = DaemonProcess.Start(new Dictionary<string, string?> { ["IBEX_CONTROL"] = null, ["IBEX_CONFIG"] = file, ["IBEX_QUEUE_MEMORY_MB"] = "7" });
            await Poll.UntilAsync(() => Task.FromResult(daemon.Log), log => log.Contains("ibex daemon started", StringComparison.Ordinal) || daemon.HasExited, 60, log => log);
            daemon.Log.ShouldContain("queue-memory-mb=7");
            daemon.Log.ShouldContain("heartbeat=4s");
            (await daemon.StopAsync()).ShouldBe(0, daemon.Log);
            daemon.Log.ShouldContain("ibex daemon stopped");
        }
        finally
        {
            File.Delete(file);
        }
    }
}
