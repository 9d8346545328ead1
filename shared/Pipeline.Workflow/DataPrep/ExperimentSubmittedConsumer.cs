using MassTransit;
using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts;
using Pipeline.Contracts.Stages;
using Pipeline.Hosting.Messaging;
using Pipeline.Persistence;
using Pipeline.Persistence.Rows;
using Serilog;

namespace Pipeline.Workflow.DataPrep;

/// <summary>
/// Builds or reuses the datasets, then either fans out the runs (base model ready) or requests the base model's
/// pretraining once and waits for BaseModelReady.
/// </summary>
public sealed class ExperimentSubmittedConsumer(ResultsDb db, Outbox outbox, IDataPrepStage dataPrep, RunFanOut fanOut)
    : IConsumer<ExperimentSubmitted>
{
    public async Task Consume(ConsumeContext<ExperimentSubmitted> context)
    {
        var message = context.Message;
        var experiment = await db.Experiments.SingleOrDefaultAsync(e => e.Id == message.ExperimentId, context.CancellationToken)
            ?? throw new InvalidDataException($"experiment {message.ExperimentId} ({message.Name}) is not in the results database");
        if (experiment.Status != ExperimentStatus.Submitted) return; // redelivered: already prepared

        var prepared = await dataPrep.PrepareAsync(message.Experiment, context.CancellationToken);
        prepared.EnsureConsistent();
        experiment.PreparedJson = StoredJson.Write(prepared);
        if (prepared.BaseModel is { } model)
        {
            var runs = await fanOut.FanOutAsync(experiment, prepared, model, context.CancellationToken);
            Log.Information("Prepared {Experiment}: {Runs} runs requested", experiment.Name, runs);
            return;
        }
        await AwaitBaseModelAsync(experiment, prepared, prepared.BasePretraining!, context.CancellationToken);
    }

    async Task AwaitBaseModelAsync(ExperimentRow experiment, PreparedData prepared, BasePretrainRequest pretraining, CancellationToken ct)
    {
        var cached = await db.BaseModels.SingleOrDefaultAsync(b => b.CacheKey == pretraining.CacheKey, ct);
        if (cached is { Status: BaseModelStatus.Ready })
        {
            Log.Information("Base model {CacheKey} is cached; reusing it", pretraining.CacheKey);
            await fanOut.FanOutAsync(experiment, prepared, cached.ToArtifact(), ct);
            return;
        }
        experiment.Status = ExperimentStatus.AwaitingBaseModel;
        experiment.BaseModelKey = pretraining.CacheKey;
        if (cached is null)
        {
            db.BaseModels.Add(new BaseModelRow
            {
                CacheKey = pretraining.CacheKey, Preset = pretraining.Preset, Status = BaseModelStatus.Pretraining, RequestedAt = DateTime.UtcNow,
            });
            outbox.Add(new BasePretrainRequested(experiment.Id, pretraining));
        }
        await db.SaveChangesAsync(ct);
        await outbox.DispatchAsync(ct);
        Log.Information("{Experiment} waits for base model {CacheKey}", experiment.Name, pretraining.CacheKey);
    }
}
