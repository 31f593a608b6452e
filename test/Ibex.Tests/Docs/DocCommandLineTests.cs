using System.CommandLine;
using Ibex.Cli;
using Ibex.Cli.Configuration;
using Shouldly;

namespace Ibex.Tests.Docs;

/// <summary>
/// Docs that drift from the CLI fail the build: every <c>ibex …</c> command line in a sh/bash code block of README.md,
/// docs/*.md and packaging/README.md is parsed (never run) by the real command tree, and the configuration table and
/// the packaging examples are checked against the options the CLI has.
/// </summary>
public class DocCommandLineTests
{
    static Command Cli() => IbexCli.Build(new CliContext(TextWriter.Null, TextWriter.Null, _ => null));

    static List<DocCommandLine> AllCommandLines()
    {
        var root = DocFiles.RepoRoot();
        return [.. DocFiles.Markdown().SelectMany(f => DocCommandLine.Extract(f, File.ReadAllLines(Path.Combine(root, f))))];
    }

    [Fact]
    public void Every_ibex_command_line_in_the_docs_parses()
    {
        var cli = Cli();
        var lines = AllCommandLines();
        lines.Count.ShouldBeGreaterThan(50, "the extractor found too few command lines; is it still reading the docs?");
        var failures = new List<string>();
        foreach (var line in lines)
        {
            var parse = cli.Parse(line.Arguments.ToArray());
            if (parse.Errors.Count > 0)
                failures.Add($"{line}\n    -> {string.Join("; ", parse.Errors.Select(e => e.Message))}");
        }
        if (failures.Count > 0)
            throw new ShouldAssertException($"{failures.Count} command line(s) in the docs do not parse:\n" + string.Join("\n", failures));
    }

    [Fact]
    public void Every_documented_file_shows_commands_and_the_readme_quick_start_is_read()
    {
        var lines = AllCommandLines();
        foreach (var file in new[] { "README.md", Path.Combine("docs", "operations.md"), Path.Combine("docs", "topologies.md") })
            lines.ShouldContain(l => l.File == file, $"no ibex command found in {file}");
        lines.ShouldContain(l => l.File == "README.md" && l.Arguments.SequenceEqual(new[] { "demo" }));
        lines.ShouldContain(l => l.File == "README.md" && l.Arguments.SequenceEqual(new[] { "run" }));
        lines.ShouldContain(l => l.File == "README.md" && l.Arguments.Count > 3 && l.Arguments[0] == "sync" && l.Arguments[1] == "add");
    }

    [Fact]
    public void A_bad_command_line_in_a_doc_is_caught_with_file_and_line()
    {
        var doc = new[] { "text", "```sh", "ibex sync add x --tables t --source a \\", "   --target b --copy sometimes   # comment", "```" };
        var line = DocCommandLine.Extract("docs/x.md", doc).ShouldHaveSingleItem();
        line.Line.ShouldBe(3);
        line.ToString().ShouldStartWith("docs/x.md:3: ");
        Cli().Parse(line.Arguments.ToArray()).Errors.ShouldNotBeEmpty();
    }

    [Fact]
    public void Shell_words_handle_quotes_continuations_comments_variables_and_operators()
    {
        var doc = new[]
        {
            "```bash",
            "IBEX_CONTROL='postgresql://x@h/db' ibex node add a --dsn \"$DSN_A\"   # a comment",
            "./ibex run &",
            "ibex schema diff --from \"$OLD\" --to \"$NEW\" > schema.sql 2>&1 && echo done",
            "ibex sync add s --tables 'public.*,\"Sales\".\"Order Items\"' --where 'public.t=region = ''eu''' \\",
            "  --source a --target b",
            "psql -c 'select 1' | ibex status --json",
            "echo ibex status",
            "```",
            "```",
            "ibex not shell",
            "```",
        };
        var lines = DocCommandLine.Extract("f.md", doc);
        lines.Select(l => l.Arguments).ShouldBe(new[]
        {
            new[] { "node", "add", "a", "--dsn", "$DSN_A" },
            new[] { "run" },
            new[] { "schema", "diff", "--from", "$OLD", "--to", "$NEW" },
            new[] { "sync", "add", "s", "--tables", "public.*,\"Sales\".\"Order Items\"", "--where", "public.t=region = eu", "--source", "a", "--target", "b" },
            new[] { "status", "--json" },
        });
        lines.Select(l => l.Line).ShouldBe([2, 3, 4, 5, 7]);
    }

    [Fact]
    public void Configuration_table_lists_every_run_option_with_its_variable_and_key()
    {
        var doc = File.ReadAllLines(Path.Combine(DocFiles.RepoRoot(), "docs", "configuration.md"));
        var cli = Cli();
        var run = cli.Subcommands.Single(c => c.Name == "run");
        var options = run.Options.Concat(cli.Options.Where(o => o.Recursive)).Where(o => o is not System.CommandLine.Help.HelpOption).ToList();
        var missing = new List<string>();
        foreach (var option in options)
        {
            var row = doc.FirstOrDefault(l => l.StartsWith($"| `{option.Name}", StringComparison.Ordinal));
            if (row is null)
            {
                missing.Add($"{option.Name}: no row");
                continue;
            }
            if (!row.Contains($"`{OptionSources.EnvironmentVariable(option)}`", StringComparison.Ordinal))
                missing.Add($"{option.Name}: row lacks `{OptionSources.EnvironmentVariable(option)}`");
            if (OptionSources.Configurable(option) && !row.Contains($"`{OptionSources.Key(option)}`", StringComparison.Ordinal))
                missing.Add($"{option.Name}: row lacks `{OptionSources.Key(option)}`");
        }
        missing.ShouldBeEmpty();
    }

    [Fact]
    public void Packaging_examples_use_only_settings_the_cli_knows()
    {
        var root = DocFiles.RepoRoot();
        var keys = OptionSources.AllKeys(Cli());
        // The example config file parses with the real reader (unknown keys would throw).
        var conf = Ibex.Cli.Configuration.ConfigFile.Load(Path.Combine(root, "packaging", "ibex.conf"), keys);
        conf.Values.Keys.ShouldContain("control");

        var variables = keys.Select(k => "IBEX_" + k.ToUpperInvariant().Replace('-', '_')).Append(OptionSources.ConfigVariable).ToHashSet();
        var env = File.ReadAllLines(Path.Combine(root, "packaging", "ibex.env"))
            .Select(l => l.TrimStart('#', ' '))
            .Where(l => l.StartsWith("IBEX_", StringComparison.Ordinal) && l.Contains('=', StringComparison.Ordinal))
            .Select(l => l[..l.IndexOf('=', StringComparison.Ordinal)])
            .ToList();
        env.ShouldContain("IBEX_CONTROL");
        env.Where(v => !variables.Contains(v)).ShouldBeEmpty();

        var unit = File.ReadAllText(Path.Combine(root, "packaging", "ibex.service"));
        unit.ShouldContain("EnvironmentFile=/etc/ibex/ibex.env");
        unit.ShouldContain("ExecStart=/opt/ibex/ibex run");
        unit.ShouldContain("KillSignal=SIGTERM");
        unit.ShouldContain("Restart=on-failure");
    }
}
