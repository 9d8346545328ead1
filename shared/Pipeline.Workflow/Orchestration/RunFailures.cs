using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts;
using Pipeline.Hosting.Messaging;
using Pipeline.Persistence;
using Pipeline.Persistence.Rows;
using Serilog;

namespace Pipeline.Workflow.Orchestration;

/// <summary>Records a failure once (keyed by its id), marks the run failed or diverged, and announces RunFailed.</summary>
public sealed class RunFailures(ResultsDb db, Outbox outbox)
{
    public async Task RecordAsync(IExperimentMessage message, string stage, string reason, Guid failureId, RunStatus runStatus, CancellationToken ct)
    {
        if (await db.Failures.AnyAsync(f => f.FailureId == failureId, ct)) return;
        var runId = (message as IRunMessage)?.RunId;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.Failures.Add(new FailureRow
        {
            FailureId = failureId, ExperimentId = message.ExperimentId, RunId = runId, Stage = stage, Reason = reason, OccurredAt = DateTime.UtcNow,
        });
        if (runId is { } id)
        {
            var marked = await db.Runs.Where(r => r.Id == id && r.Status != RunStatus.Completed)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, runStatus).SetProperty(r => r.UpdatedAt, DateTime.UtcNow), ct);
            if (marked > 0) outbox.Add(new RunFailed(message.ExperimentId, id, stage, reason));
        }
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        await outbox.DispatchAsync(ct);
        Log.Warning("{Stage} failed: {Reason}", stage, reason);
    }
}
