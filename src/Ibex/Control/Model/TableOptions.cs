using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ibex.Control.Model;

/// <summary>Per-table options of a sync, stored as JSON in <c>ibex.sync_table.options</c>.</summary>
public sealed record TableOptions
{
    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Conflict strategy overriding the sync's (multi-master).</summary>
    public string? Conflict { get; init; }

    /// <summary>Schema of the table on targets, when renamed (<c>--map</c>).</summary>
    public string? TargetSchema { get; init; }

    /// <summary>Name of the table on targets, when renamed (<c>--map</c>).</summary>
    public string? TargetName { get; init; }

    /// <summary>Row filter (a SQL boolean expression over the table's columns), when set (<c>--where</c>).</summary>
    public string? Where { get; init; }

    /// <summary>The columns replicated, when limited (<c>--columns</c>).</summary>
    public IReadOnlyList<string>? Columns { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static TableOptions Parse(string? json)
        => string.IsNullOrWhiteSpace(json) ? new TableOptions() : JsonSerializer.Deserialize<TableOptions>(json, Json) ?? new TableOptions();
}
