using MassTransit;
using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts;
using Pipeline.Contracts.Stages;
using Pipeline.Hosting.Messaging;
using Pipeline.Persistence;
using Pipeline.Persistence.Rows;
using Pipeline.Workflow.DataPrep;
using Serilog;

namespace Pipeline.Workflow.Trainer;

/// <summary>Pretrains a built-in base model once per cache key; a repeated request only re-announces it.</summary>
public sealed class BasePretrainRequestedConsumer(ResultsDb db, Outbox outbox, ITrainerStage trainer, ResultsDbSettings settings)
    : IConsumer<BasePretrainRequested>
{
    public async Task Consume(ConsumeContext<BasePretrainRequested> context)
    {
        var request = context.Message.Request;
        var ct = context.CancellationToken;
        var row = await db.BaseModels.SingleOrDefaultAsync(b => b.CacheKey == request.CacheKey, ct)
            ?? throw new InvalidDataException($"base model {request.CacheKey} is not in the results database");
        if (row.Status != BaseModelStatus.Ready)
        {
            ModelArtifact model;
            await using (var recorder = new TrainingRecorder(settings, CurveId(request.CacheKey)))
                model = await trainer.PretrainAsync(request, recorder, ct);
            row.Status = BaseModelStatus.Ready;
            row.Description = model.Description;
            row.Path = model.Artifact.Path;
            row.Sha256 = model.Artifact.Sha256;
            row.ReadyAt = DateTime.UtcNow;
            Log.Information("Base model {CacheKey} pretrained: {Path}", request.CacheKey, model.Artifact.Path);
        }
        outbox.Add(new BaseModelReady(context.Message.ExperimentId, row.ToArtifact()));
        await db.SaveChangesAsync(ct);
        await outbox.DispatchAsync(ct);
    }

    /// <summary>The training_curves key of a base pretraining.</summary>
    public static Guid CurveId(string cacheKey) => DeterministicId.From("base", cacheKey);
}

public sealed class BasePretrainRequestedConsumerDefinition : OneAtATimeDefinition<BasePretrainRequestedConsumer>;
