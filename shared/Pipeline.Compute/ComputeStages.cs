using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.Compute.DataPrep;
using Pipeline.Compute.Evaluator;
using Pipeline.Compute.RankAnalysis;
using Pipeline.Compute.Trainer;
using Pipeline.Contracts.Stages;
using Pipeline.Data.Artifacts;
using Pipeline.ML;
using Pipeline.ML.Modeling;
using Serilog;
using TorchSharp;

namespace Pipeline.Compute;

/// <summary>The seam between the pipeline and the compute: the four services' stages on Pipeline.ML and Pipeline.Data, and the catalog of names.</summary>
public static class ComputeStages
{
    public static IServiceCollection AddComputeStages(this IServiceCollection services)
    {
        services.AddSingleton(provider => ComputeSettings.From(provider.GetRequiredService<IConfiguration>()));
        services.AddSingleton(provider => new ArtifactStore(provider.GetRequiredService<ArtifactStoreRoot>().Path));
        services.AddSingleton(provider => Device(provider.GetRequiredService<ComputeSettings>()));
        services.AddSingleton(BuiltInCatalog.Create());
        services.AddSingleton<ComputeGate>();
        services.AddSingleton<IDataPrepStage, DataPrepStage>();
        services.AddSingleton<ITrainerStage, TrainerStage>();
        services.AddSingleton<IEvaluatorStage, EvaluatorStage>();
        services.AddSingleton<IRankAnalysisStage, RankAnalysisStage>();
        services.AddHostedService<AbandonedTempSweep>();
        return services;
    }

    /// <summary>At start, removes what a process killed mid-write left in the artifact store (see <see cref="TempFiles"/>).</summary>
    private sealed class AbandonedTempSweep(ArtifactStore store) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            int removed = TempFiles.SweepAbandoned(store.Root);
            if (removed > 0) Log.Information("Removed {Count} temp file(s) abandoned by killed processes in {Root}", removed, store.Root);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static torch.Device Device(ComputeSettings settings)
    {
        if (settings.Threads is { } threads) torch.set_num_threads(threads);
        return DeviceSelection.Resolve(settings.Device);
    }
}
