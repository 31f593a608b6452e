using System.CommandLine;
using System.CommandLine.Completions;

namespace Ibex.Cli;

/// <summary>Options that take one of a fixed set of values.</summary>
public static class Choices
{
    /// <summary>
    /// Restricts the option to these values (help shows them). A value outside them is one error naming the option,
    /// the value and the choices, e.g. <c>--copy: 'sideways' is not one of auto, always, never</c>.
    /// </summary>
    public static Option<string> OneOf(this Option<string> option, params string[] values)
    {
        ArgumentNullException.ThrowIfNull(option);
        option.CompletionSources.Add(values);
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(t => !values.Contains(t.Value, StringComparer.Ordinal)))
                result.AddError($"{option.Name}: '{token.Value}' is not one of {string.Join(", ", values)}");
        });
        return option;
    }
}
