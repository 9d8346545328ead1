using MassTransit;
using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts;
using Pipeline.Contracts.Stages;
using Pipeline.Hosting.Messaging;
using Pipeline.Persistence;
using Pipeline.Persistence.Rows;
using Pipeline.Workflow.Orchestration;
using Serilog;

namespace Pipeline.Workflow.Evaluator;

/// <summary>
/// Scores a checkpoint on the source and target tasks; a checkpoint is evaluated once, however often it is announced.
/// Its metrics and per-item samples are written in one transaction, so a crash leaves either both or neither.
/// </summary>
public sealed class EvaluateCheckpointConsumer(ResultsDb db, Outbox outbox, IEvaluatorStage evaluation, RunCompletion completion)
    : IConsumer<CheckpointSaved>
{
    public async Task Consume(ConsumeContext<CheckpointSaved> context)
    {
        var (message, ct) = (context.Message, context.CancellationToken);
        var checkpoint = await db.Checkpoints.SingleAsync(c => c.Id == message.CheckpointId, ct);
        if (checkpoint.EvaluatedAt is null)
        {
            var result = await SameModelResultAsync(message.ExperimentId, checkpoint, ct) ?? await evaluation.EvaluateAsync(message, ct);
            db.Metrics.AddRange(result.Metrics.Select(m => new MetricRow
            {
                CheckpointId = checkpoint.Id, Task = m.Task, Domain = m.Domain, Metric = m.Metric, Value = m.Value, StdErr = m.StdErr,
            }));
            db.Samples.AddRange(result.Samples.Select(s => SampleRows.From(checkpoint.Id, s)));
            checkpoint.EvaluatedAt = DateTime.UtcNow;
            outbox.Add(new CheckpointEvaluated(message.ExperimentId, message.RunId, checkpoint.Id, result.Metrics.Count));
            await db.SaveChangesAsync(ct);
            await outbox.DispatchAsync(ct);
            Log.Information("Checkpoint {Milestone} evaluated: {Metrics} metrics, {Samples} samples", checkpoint.MilestoneIndex, result.Metrics.Count, result.Samples.Count);
        }
        await completion.TryCompleteAsync(message.ExperimentId, message.RunId, ct);
    }

    /// <summary>
    /// The metrics and samples already written for the same model content in this experiment (its tasks are the same),
    /// so the base checkpoint that every run announces is scored once.
    /// </summary>
    async Task<EvaluationResult?> SameModelResultAsync(Guid experimentId, CheckpointRow checkpoint, CancellationToken ct)
    {
        var twin = await (from c in db.Checkpoints
                          join r in db.Runs on c.RunId equals r.Id
                          where r.ExperimentId == experimentId && c.Id != checkpoint.Id && c.EvaluatedAt != null
                                && c.ModelSha256 == checkpoint.ModelSha256 && c.AdapterSha256 == checkpoint.AdapterSha256
                          select c.Id).FirstOrDefaultAsync(ct);
        if (twin == Guid.Empty) return null;
        var metrics = await db.Metrics.AsNoTracking().Where(m => m.CheckpointId == twin).ToListAsync(ct);
        var samples = await db.Samples.AsNoTracking().Where(s => s.CheckpointId == twin).OrderBy(s => s.Id).ToListAsync(ct);
        Log.Information("Checkpoint {Milestone} has the same model as checkpoint {Twin}: its {Metrics} metrics and {Samples} samples are reused",
            checkpoint.MilestoneIndex, twin, metrics.Count, samples.Count);
        return new EvaluationResult([.. metrics.Select(m => new MetricResult(m.Task, m.Domain, m.Metric, m.Value, m.StdErr))],
            [.. samples.Select(SampleRows.ToResult)]);
    }
}

public sealed class EvaluateCheckpointConsumerDefinition : OneAtATimeDefinition<EvaluateCheckpointConsumer>;
