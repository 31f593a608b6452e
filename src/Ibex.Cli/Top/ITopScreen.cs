namespace Ibex.Cli.Top;

/// <summary>Where <c>ibex top</c> draws: a terminal screen redrawn in place, or plain text snapshots.</summary>
public interface ITopScreen : IDisposable
{
    void Show(DateTime now, IReadOnlyList<TopRow> rows, string? problem);
}
