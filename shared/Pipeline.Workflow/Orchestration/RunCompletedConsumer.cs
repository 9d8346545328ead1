using MassTransit;
using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts;
using Pipeline.Hosting.Messaging;
using Pipeline.Persistence;
using Pipeline.Persistence.Rows;
using Serilog;

namespace Pipeline.Workflow.Orchestration;

/// <summary>An experiment completes when all its runs have; announced once, by conditional update.</summary>
public sealed class RunCompletedConsumer(ResultsDb db, Outbox outbox) : IConsumer<RunCompleted>
{
    public async Task Consume(ConsumeContext<RunCompleted> context)
    {
        var (experimentId, ct) = (context.Message.ExperimentId, context.CancellationToken);
        var experiment = await db.Experiments.AsNoTracking().SingleAsync(e => e.Id == experimentId, ct);
        if (experiment.Status != ExperimentStatus.Running) return;
        var open = await db.Runs.CountAsync(r => r.ExperimentId == experimentId && r.Status != RunStatus.Completed, ct);
        if (open > 0) return;

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var completed = await db.Experiments.Where(e => e.Id == experimentId && e.Status == ExperimentStatus.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.Status, ExperimentStatus.Completed).SetProperty(e => e.CompletedAt, DateTime.UtcNow), ct);
        if (completed == 0) return;
        outbox.Add(new ExperimentCompleted(experimentId, experiment.Name));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        await outbox.DispatchAsync(ct);
        Log.Information("Experiment {Experiment} completed", experiment.Name);
    }
}
