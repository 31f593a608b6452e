using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ibex.Control.Model;

/// <summary>Per-sync options, stored as JSON in <c>ibex.sync.options</c>.</summary>
public sealed record SyncOptions
{
    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Pass on transactions that arrived through Ibex (cascading A→B→C).</summary>
    public bool Forward { get; init; }

    /// <summary>WAL a slot of this sync may retain before the sync is marked in error (null: no limit).</summary>
    public long? MaxRetainedBytes { get; init; }

    /// <summary>What to do past <see cref="MaxRetainedBytes"/>: <c>error</c>, or <c>drop-slot</c> (drop it and copy afresh).</summary>
    public string OnRetention { get; init; } = "error";

    /// <summary><c>stream</c> (apply continuously) or <c>kick</c> (apply when kicked or on schedule).</summary>
    public string Mode { get; init; } = "stream";

    /// <summary>Kick mode and fullcopy targets: run by itself this often (null: only when kicked).</summary>
    public double? EverySeconds { get; init; }

    /// <summary>Add a column that appears on the source to targets that lack it (nullable), instead of stopping.</summary>
    public bool AutoAddColumns { get; init; }

    /// <summary>Copy the values of sequences owned by synced tables to targets.</summary>
    public bool Sequences { get; init; }

    /// <summary>Fullcopy targets: empty tables with <c>truncate</c> or <c>delete</c> before copying.</summary>
    public string DeleteMethod { get; init; } = "truncate";

    [JsonIgnore]
    public bool KickMode => Mode == "kick";

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static SyncOptions Parse(string? json)
        => string.IsNullOrWhiteSpace(json) ? new SyncOptions() : JsonSerializer.Deserialize<SyncOptions>(json, Json) ?? new SyncOptions();
}
