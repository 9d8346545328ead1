using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts;
using Pipeline.Hosting.Messaging;
using Pipeline.Persistence;
using Pipeline.Persistence.Rows;

namespace Pipeline.Workflow.Orchestration;

/// <summary>
/// `pipeline retry`: requeues a failed or diverged run with its original request; the trainer resumes it. Without a
/// broker to publish to now (embedded mode), the request waits in the outbox for the next `pipeline services`.
/// </summary>
public sealed class RunRetry(ResultsDb db, Outbox outbox)
{
    public async Task<RunRow> RetryAsync(Guid runId, bool publishNow, CancellationToken ct)
    {
        var run = await db.Runs.SingleOrDefaultAsync(r => r.Id == runId, ct)
            ?? throw new ArgumentException($"no run with id {runId}");
        if (run.Status is not (RunStatus.Failed or RunStatus.Diverged))
            throw new InvalidOperationException($"run {run.CellKey} is {run.Status}; only failed or diverged runs can be retried");
        run.Status = RunStatus.Queued;
        run.UpdatedAt = DateTime.UtcNow;
        outbox.Add(run.ReadRequest());
        await db.SaveChangesAsync(ct);
        if (publishNow) await outbox.DispatchAsync(ct);
        return run;
    }
}
