using System.Text;

namespace Ibex.Tests.Docs;

/// <summary>
/// Just enough of a POSIX shell's word splitting to read the command lines in the docs: quotes, backslashes, comments,
/// <c>$VAR</c>/<c>${VAR}</c>/<c>$(…)</c> kept as they are, and the operators that separate commands
/// (<c>| || &amp;&amp; ; &amp;</c>) and redirect them (<c>&gt; &gt;&gt; &lt; 2&gt; 2&gt;&amp;1</c>).
/// </summary>
public static class ShellWords
{
    /// <summary>The simple commands of one logical line, each as its words (redirections removed).</summary>
    public static List<List<string>> Commands(string line)
    {
        var commands = new List<List<string>> { new() };
        var word = new StringBuilder();
        var inWord = false;
        var skipNext = false;
        var i = 0;

        void EndWord()
        {
            if (!inWord)
                return;
            if (skipNext)
                skipNext = false;
            else
                commands[^1].Add(word.ToString());
            word.Clear();
            inWord = false;
        }

        while (i < line.Length)
        {
            var c = line[i];
            if (char.IsWhiteSpace(c))
            {
                EndWord();
                i++;
            }
            else if (c == '#' && !inWord)
            {
                break;
            }
            else if (c == '\'')
            {
                var end = line.IndexOf('\'', i + 1);
                if (end < 0)
                    throw new FormatException("unterminated single quote");
                word.Append(line, i + 1, end - i - 1);
                inWord = true;
                i = end + 1;
            }
            else if (c == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length)
                        throw new FormatException("unterminated double quote");
                    if (line[i] == '"')
                        break;
                    if (line[i] == '\\' && i + 1 < line.Length && line[i + 1] is '"' or '\\' or '$' or '`')
                        i++;
                    word.Append(line[i]);
                    i++;
                }
                inWord = true;
                i++;
            }
            else if (c == '\\')
            {
                if (i + 1 < line.Length)
                    word.Append(line[i + 1]);
                inWord = true;
                i += 2;
            }
            else if (c == '$' && i + 1 < line.Length && line[i + 1] == '(')
            {
                // Command substitution: kept verbatim as part of the word.
                var depth = 0;
                var start = i;
                for (i++; i < line.Length; i++)
                {
                    if (line[i] == '(')
                        depth++;
                    else if (line[i] == ')' && --depth == 0)
                        break;
                }
                word.Append(line, start, Math.Min(i + 1, line.Length) - start);
                inWord = true;
                i++;
            }
            else if (c is '|' or '&' or ';')
            {
                EndWord();
                var two = i + 1 < line.Length ? line.Substring(i, 2) : c.ToString();
                if (c == '&' && i > 0 && line[i - 1] == '>')
                {
                    // 2>&1 was handled with its redirection.
                }
                i += two is "||" or "&&" ? 2 : 1;
                if (commands[^1].Count > 0)
                    commands.Add([]);
            }
            else if (c is '>' or '<' || (char.IsAsciiDigit(c) && !inWord && i + 1 < line.Length && line[i + 1] is '>' or '<'))
            {
                EndWord();
                while (i < line.Length && (char.IsAsciiDigit(line[i]) || line[i] is '>' or '<'))
                    i++;
                if (i < line.Length && line[i] == '&')
                {
                    // >&2, 2>&1: the target is a descriptor.
                    i++;
                    while (i < line.Length && char.IsAsciiDigit(line[i]))
                        i++;
                }
                else
                {
                    skipNext = true; // the file name that follows
                }
            }
            else
            {
                word.Append(c);
                inWord = true;
                i++;
            }
        }
        EndWord();
        return [.. commands.Where(cmd => cmd.Count > 0)];
    }
}
