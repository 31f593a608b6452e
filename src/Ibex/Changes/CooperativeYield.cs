namespace Ibex.Changes;

/// <summary>
/// Tells a loop whose input is always ready when to give up its thread. A reader with a full socket buffer or an
/// applier with a full queue never awaits anything unfinished, so it keeps whichever thread it last resumed on; with
/// inline socket completions (<see cref="InlineSocketCompletions"/>) that can be the socket engine's thread, which the
/// completions of every other connection need. Such a loop calls <see cref="Due"/> once per step and, when it says
/// so, awaits <c>Task.Yield()</c>, which moves it to the thread pool.
/// </summary>
public struct CooperativeYield(int every)
{
    int _steps;

    /// <summary>True once every <c>every</c> calls.</summary>
    public bool Due()
    {
        if (++_steps < every)
            return false;
        _steps = 0;
        return true;
    }
}
