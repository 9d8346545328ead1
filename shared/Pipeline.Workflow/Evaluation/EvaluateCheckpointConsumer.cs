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
            var metrics = await evaluation.EvaluateAsync(message, ct);
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
}

public sealed class EvaluateCheckpointConsumerDefinition : OneAtATimeDefinition<EvaluateCheckpointConsumer>;
