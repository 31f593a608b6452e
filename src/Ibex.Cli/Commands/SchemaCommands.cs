using System.CommandLine;

namespace Ibex.Cli.Commands;

/// <summary><c>ibex schema …</c>: schema comparison.</summary>
public static class SchemaCommands
{
    public static Command Build(CliContext context)
    {
        var schema = new Command("schema", "Compare database schemas");
        return schema;
    }
}
