using MassTransit;
using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts;
using Pipeline.Contracts.Stages;
using Pipeline.Hosting.Messaging;
using Pipeline.Hosting.Outbox;
using Pipeline.Persistence;
using Pipeline.Persistence.Rows;
using Pipeline.Workflow.Completion;
using Serilog;

namespace Pipeline.Workflow.Evaluation;

/// <summary>Scores a checkpoint on the source and target tasks; a checkpoint is evaluated once, however often it is announced.</summary>
public sealed class EvaluateCheckpointConsumer(ResultsDb db, Outbox outbox, IEvaluation evaluation, RunCompletion completion)
    : IConsumer<CheckpointSaved>
{
    public async Task Consume(ConsumeContext<CheckpointSaved> context)
    {
        var (message, ct) = (context.Message, context.CancellationToken);
        var checkpoint = await db.Checkpoints.SingleAsync(c => c.Id == message.CheckpointId, ct);
        if (checkpoint.EvaluatedAt is null)
        {
            var metrics = await SameModelMetricsAsync(message.ExperimentId, checkpoint, ct) ?? await evaluation.EvaluateAsync(message, ct);
            db.Metrics.AddRange(metrics.Select(m => new MetricRow
            {
                CheckpointId = checkpoint.Id, Task = m.Task, Domain = m.Domain, Metric = m.Metric, Value = m.Value, StdErr = m.StdErr,
            }));
            checkpoint.EvaluatedAt = DateTime.UtcNow;
            outbox.Add(new CheckpointEvaluated(message.ExperimentId, message.RunId, checkpoint.Id, metrics.Count));
            await db.SaveChangesAsync(ct);
            await outbox.DispatchAsync(ct);
            Log.Information("Checkpoint {Milestone} evaluated: {Metrics} metrics", checkpoint.MilestoneIndex, metrics.Count);
        }
        await completion.TryCompleteAsync(message.ExperimentId, message.RunId, ct);
    }

    /// <summary>
    /// The metrics already written for the same model content in this experiment (its tasks are the same), so the
    /// base checkpoint that every run announces is scored once.
    /// </summary>
    async Task<IReadOnlyList<MetricResult>?> SameModelMetricsAsync(Guid experimentId, CheckpointRow checkpoint, CancellationToken ct)
    {
        var twin = await (from c in db.Checkpoints
                          join r in db.Runs on c.RunId equals r.Id
                          where r.ExperimentId == experimentId && c.Id != checkpoint.Id && c.EvaluatedAt != null
                                && c.ModelSha256 == checkpoint.ModelSha256 && c.AdapterSha256 == checkpoint.AdapterSha256
                          select c.Id).FirstOrDefaultAsync(ct);
        if (twin == Guid.Empty) return null;
        var rows = await db.Metrics.AsNoTracking().Where(m => m.CheckpointId == twin).ToListAsync(ct);
        Log.Information("Checkpoint {Milestone} has the same model as checkpoint {Twin}: its {Metrics} metrics are reused", checkpoint.MilestoneIndex, twin, rows.Count);
        return [.. rows.Select(m => new MetricResult(m.Task, m.Domain, m.Metric, m.Value, m.StdErr))];
    }
}

public sealed class EvaluateCheckpointConsumerDefinition : OneAtATimeDefinition<EvaluateCheckpointConsumer>;
