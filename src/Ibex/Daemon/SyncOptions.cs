using System.Text.Json;

namespace Ibex.Daemon;

/// <summary>Per-sync options stored as JSON in <c>ibex.sync.options</c>.</summary>
public sealed record SyncOptions
{
    /// <summary>Pass on transactions that arrived through Ibex (cascading A→B→C).</summary>
    public bool Forward { get; init; }

    public static SyncOptions Parse(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
            return new SyncOptions();
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        return new SyncOptions
        {
            Forward = root.TryGetProperty("forward", out var f) && f.ValueKind == JsonValueKind.True,
        };
    }
}
