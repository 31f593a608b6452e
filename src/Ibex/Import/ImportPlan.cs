using System.Text;

namespace Ibex.Import;

/// <summary>
/// The Ibex equivalent of a Bucardo configuration: nodes, syncs, and notes on what has no equivalent. Printed as a
/// shell script (commands, everything else as comments) and applied command by command.
/// </summary>
public sealed record ImportPlan(string From, string BucardoVersion, IReadOnlyList<ImportNode> Nodes, IReadOnlyList<ImportSync> Syncs, IReadOnlyList<ImportNote> Notes)
{
    /// <summary>Stands for a password from Bucardo's catalog in printed commands.</summary>
    public const string PasswordPlaceholder = "REDACTED";

    /// <summary>What stops the plan from being applied, one line each, naming the object and the fix.</summary>
    public IReadOnlyList<string> Problems =>
        [.. Nodes.Where(n => n.Problem is not null).Select(n => $"node '{n.Name}': {n.Problem}"),
         .. Syncs.Where(s => s.Problem is not null).Select(s => $"sync '{s.Name}': {s.Problem}")];

    /// <summary>Every command, in the order to run them (nodes, then each sync followed by its follow-ups).</summary>
    public IReadOnlyList<IReadOnlyList<string>> Commands(bool redact)
    {
        var list = new List<IReadOnlyList<string>>();
        list.AddRange(Nodes.Where(n => n.Problem is null).Select(n => n.Command(redact)));
        foreach (var s in Syncs.Where(s => s.Problem is null))
        {
            list.Add(s.AddCommand());
            list.AddRange(s.FollowUps());
        }
        return list;
    }

    /// <summary>The plan as a shell script: runnable commands, comments for the rest.</summary>
    public IReadOnlyList<string> Script()
    {
        var lines = new List<string>
        {
            $"# Ibex equivalent of the Bucardo {BucardoVersion} configuration in {From}",
            $"# {Nodes.Count} node(s), {Syncs.Count} sync(s); run these commands, or run 'ibex import bucardo --apply' to create them all at once",
        };
        if (Nodes.Any(n => n.HasPassword))
            lines.Add($"# Passwords stored in bucardo.db are shown as {PasswordPlaceholder}: put the real one there (or in a .pgpass file); --apply uses them without printing them");
        foreach (var n in Nodes)
            lines.Add(n.Problem is null ? Shell(n.Command(true)) : $"# {Shell(n.Command(true))}    # not possible as it is: {n.Problem}");
        foreach (var s in Syncs)
        {
            if (s.Problem is not null)
            {
                lines.Add($"# {Shell(s.AddCommand())}    # not possible as it is: {s.Problem}");
                continue;
            }
            lines.Add(Shell(s.AddCommand()));
            lines.AddRange(s.FollowUps().Select(Shell));
        }
        if (Notes.Count > 0)
        {
            lines.Add("#");
            lines.Add("# Not carried over (no Ibex equivalent, or a different behaviour):");
            lines.AddRange(Notes.Select(n => "#   " + n));
        }
        return lines;
    }

    /// <summary>A command line as a person types it: <c>ibex</c> and each argument quoted for a POSIX shell when needed.</summary>
    public static string Shell(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var sb = new StringBuilder("ibex");
        foreach (var a in args)
            sb.Append(' ').Append(Quote(a));
        return sb.ToString();
    }

    static string Quote(string arg)
    {
        if (arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "_-./:=,@%+".Contains(c, StringComparison.Ordinal)))
            return arg;
        return "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }
}
