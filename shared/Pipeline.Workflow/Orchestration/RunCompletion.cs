using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts;
using Pipeline.Hosting.Messaging;
using Pipeline.Persistence;
using Pipeline.Persistence.Rows;
using Serilog;

namespace Pipeline.Workflow.Orchestration;

/// <summary>
/// A run completes when the base and every milestone have a checkpoint with both its metrics and its rank analysis. Called by the
/// evaluator and rank-analysis after each write; whichever finishes last completes the run. The status change is a
/// conditional update, so RunCompleted is announced exactly once even when both finish together.
/// </summary>
public sealed class RunCompletion(ResultsDb db, Outbox outbox)
{
    public async Task TryCompleteAsync(Guid experimentId, Guid runId, CancellationToken ct)
    {
        var milestones = await db.Runs.Where(r => r.Id == runId).Select(r => r.MilestoneCount).SingleAsync(ct);
        var done = await db.Checkpoints.CountAsync(c => c.RunId == runId && c.EvaluatedAt != null && c.RankAnalysedAt != null, ct);
        if (done < milestones + 1) return; // the milestones and the base checkpoint

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var completed = await db.Runs.Where(r => r.Id == runId && r.Status != RunStatus.Completed)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Completed)
                .SetProperty(r => r.CompletedAt, DateTime.UtcNow).SetProperty(r => r.UpdatedAt, DateTime.UtcNow), ct);
        if (completed == 0) return;
        outbox.Add(new RunCompleted(experimentId, runId));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        await outbox.DispatchAsync(ct);
        Log.Information("Run completed: {Checkpoints} checkpoints evaluated and analysed", done);
    }
}
