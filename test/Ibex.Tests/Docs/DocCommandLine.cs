namespace Ibex.Tests.Docs;

/// <summary>One <c>ibex</c> command line found in a document: where, as written, and its arguments.</summary>
public sealed record DocCommandLine(string File, int Line, string Text, IReadOnlyList<string> Arguments)
{
    public override string ToString() => $"{File}:{Line}: {Text}";

    /// <summary>Every ibex command in the sh/bash code blocks of a markdown file.</summary>
    public static List<DocCommandLine> Extract(string file, IReadOnlyList<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var found = new List<DocCommandLine>();
        var inShell = false;
        var inOther = false;
        for (var i = 0; i < lines.Count; i++)
        {
            var trimmed = lines[i].Trim();
            if (trimmed.StartsWith("```", StringComparison.Ordinal))
            {
                if (inShell || inOther)
                {
                    inShell = inOther = false;
                }
                else
                {
                    var lang = trimmed[3..].Trim();
                    inShell = lang is "sh" or "bash" or "shell" or "console";
                    inOther = !inShell;
                }
                continue;
            }
            if (!inShell)
                continue;
            // Join continuation lines.
            var start = i;
            var text = lines[i];
            while (text.EndsWith('\\') && i + 1 < lines.Count)
                text = text[..^1] + " " + lines[++i];
            List<List<string>> commands;
            try
            {
                commands = ShellWords.Commands(text);
            }
            catch (FormatException e)
            {
                found.Add(new DocCommandLine(file, start + 1, text.Trim(), ["<unreadable: " + e.Message + ">"]));
                continue;
            }
            foreach (var words in commands)
            {
                var k = 0;
                while (k < words.Count && IsAssignment(words[k]))
                    k++;
                if (k < words.Count && IsIbex(words[k]))
                    found.Add(new DocCommandLine(file, start + 1, text.Trim(), words.Skip(k + 1).ToList()));
            }
        }
        return found;
    }

    static bool IsIbex(string word) => word is "ibex" or "./ibex" || word.EndsWith("/ibex", StringComparison.Ordinal);

    static bool IsAssignment(string word)
    {
        var eq = word.IndexOf('=', StringComparison.Ordinal);
        return eq > 0 && (char.IsAsciiLetter(word[0]) || word[0] == '_') && word[..eq].All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_');
    }
}
