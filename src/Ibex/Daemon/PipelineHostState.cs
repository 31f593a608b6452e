namespace Ibex.Daemon;

/// <summary>What a <see cref="PipelineHost"/> is doing with its pipeline.</summary>
public enum PipelineHostState
{
    Stopped,
    Running,
}
