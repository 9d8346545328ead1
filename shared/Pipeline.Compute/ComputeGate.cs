namespace Pipeline.Compute;

/// <summary>
/// Runs one compute stage at a time in this process, each on its own long-running thread. Every stage uses all of
/// torch's intra-op threads (one per core); two at once oversubscribe the cores, and each then runs at a fraction of
/// its speed (docs/benchmarks.md, "Design measurements behind the code"). A process hosting one
/// service has one stage anyway; the gate matters when several share a process (`pipeline quickstart`).
/// </summary>
public sealed class ComputeGate
{
    private readonly SemaphoreSlim turn = new(1, 1);
    private long busyTicks;

    /// <summary>Total time stages have computed in this process; the rest of a study's wall time is pipeline overhead or idling.</summary>
    public TimeSpan Busy => TimeSpan.FromTicks(Interlocked.Read(ref busyTicks));

    public async Task<T> RunAsync<T>(Func<T> work, CancellationToken ct)
    {
        await turn.WaitAsync(ct);
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            return await Task.Factory.StartNew(work, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        finally
        {
            Interlocked.Add(ref busyTicks, System.Diagnostics.Stopwatch.GetElapsedTime(started).Ticks);
            turn.Release();
        }
    }

    public Task RunAsync(Action work, CancellationToken ct) => RunAsync(() => { work(); return true; }, ct);
}
