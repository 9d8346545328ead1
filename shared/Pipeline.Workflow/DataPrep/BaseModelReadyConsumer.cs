using MassTransit;
using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts;
using Pipeline.Contracts.Stages;
using Pipeline.Persistence;
using Pipeline.Persistence.Rows;
using Serilog;

namespace Pipeline.Workflow.DataPrep;

/// <summary>Fans out the runs of every experiment that was waiting on this base model.</summary>
public sealed class BaseModelReadyConsumer(ResultsDb db, RunFanOut fanOut) : IConsumer<BaseModelReady>
{
    public async Task Consume(ConsumeContext<BaseModelReady> context)
    {
        var key = context.Message.Model.CacheKey;
        var waiting = await db.Experiments
            .Where(e => e.BaseModelKey == key && e.Status == ExperimentStatus.AwaitingBaseModel)
            .ToListAsync(context.CancellationToken);
        foreach (var experiment in waiting)
        {
            var prepared = StoredJson.Read<PreparedData>(experiment.PreparedJson!, $"experiment {experiment.Name} prepared data");
            var runs = await fanOut.FanOutAsync(experiment, prepared, context.Message.Model, context.CancellationToken);
            Log.Information("Base model {CacheKey} ready: {Experiment} requested {Runs} runs", key, experiment.Name, runs);
        }
    }
}
