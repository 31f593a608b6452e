namespace Ibex.Setup;

/// <summary>
/// A per-table option as an operator writes it: <c>TABLE=VALUE</c> (<c>public.orders=region = 'eu'</c>). The table is
/// everything before the first '=' outside double quotes.
/// </summary>
public sealed record TableSetting(string Table, string Value)
{
    public static TableSetting Parse(string text, string option)
    {
        ArgumentNullException.ThrowIfNull(text);
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '"')
                quoted = !quoted;
            else if (text[i] == '=' && !quoted && i > 0 && i < text.Length - 1)
                return new TableSetting(text[..i].Trim(), text[(i + 1)..].Trim());
        }
        throw new IbexException($"{option} '{text}' is not TABLE=VALUE, e.g. {option} 'public.orders=...'");
    }
}
