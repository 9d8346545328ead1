namespace Pipeline.Compute;

/// <summary>
/// Runs one compute stage at a time in this process, each on its own long-running thread. Every stage uses all of
/// torch's intra-op threads (one per core); two at once oversubscribe the cores, and each then runs at a fraction of
/// its speed: on 2 cores, training beside an evaluation fell from ~2,500 to ~700 tokens/s. A process hosting one
/// service has one stage anyway; the gate matters when several share a process (`pipeline quickstart`).
/// </summary>
public sealed class ComputeGate
{
    private readonly SemaphoreSlim turn = new(1, 1);

    public async Task<T> RunAsync<T>(Func<T> work, CancellationToken ct)
    {
        await turn.WaitAsync(ct);
        try
        {
            return await Task.Factory.StartNew(work, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        finally
        {
            turn.Release();
        }
    }

    public Task RunAsync(Action work, CancellationToken ct) => RunAsync(() => { work(); return true; }, ct);
}
