using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Contracts.Stages;
using Pipeline.Workflow.DataPrep;
using Pipeline.Workflow.Evaluator;
using Pipeline.Workflow.Orchestration;
using Pipeline.Workflow.RankAnalysis;
using Pipeline.Workflow.Trainer;

namespace Pipeline.Workflow;

/// <summary>The four services; a process hosts one of them (compose, clusters) or all (quickstart, `pipeline services`).</summary>
public enum PipelineService { DataPrep, Trainer, Evaluator, RankAnalysis }

public static class PipelineServices
{
    public static readonly IReadOnlyList<PipelineService> All = Enum.GetValues<PipelineService>();

    /// <summary>Accepts data-prep, trainer, evaluator, rank-analysis (any case, with or without dashes).</summary>
    public static PipelineService Parse(string name) =>
        Enum.TryParse<PipelineService>(name.Replace("-", ""), ignoreCase: true, out var service)
            ? service
            : throw new ArgumentException($"unknown service '{name}'; expected one of data-prep, trainer, evaluator, rank-analysis");

    public static string Name(this PipelineService service) => service switch
    {
        PipelineService.DataPrep => "data-prep",
        PipelineService.RankAnalysis => "rank-analysis",
        _ => service.ToString().ToLowerInvariant(),
    };

    /// <summary>The stage interface whose implementation a service needs.</summary>
    public static IReadOnlyList<Type> RequiredStages(this PipelineService service) => service switch
    {
        PipelineService.DataPrep => [typeof(IDataPrepStage)],
        PipelineService.Trainer => [typeof(ITrainerStage)],
        PipelineService.Evaluator => [typeof(IEvaluatorStage)],
        PipelineService.RankAnalysis => [typeof(IRankAnalysisStage)],
        _ => throw new ArgumentOutOfRangeException(nameof(service)),
    };

    public static void AddConsumers(this IBusRegistrationConfigurator bus, IEnumerable<PipelineService> services)
    {
        foreach (var service in services.Distinct())
            switch (service)
            {
                case PipelineService.DataPrep:
                    bus.AddConsumer<ExperimentSubmittedConsumer>();
                    bus.AddConsumer<BaseModelReadyConsumer>();
                    bus.AddConsumer<RunCompletedConsumer>();
                    bus.AddConsumer<ExperimentSubmittedFaultConsumer>();
                    break;
                case PipelineService.Trainer:
                    bus.AddConsumer<RunRequestedConsumer, RunRequestedConsumerDefinition>();
                    bus.AddConsumer<BasePretrainRequestedConsumer, BasePretrainRequestedConsumerDefinition>();
                    bus.AddConsumer<RunRequestedFaultConsumer>();
                    bus.AddConsumer<BasePretrainRequestedFaultConsumer>();
                    break;
                case PipelineService.Evaluator:
                    bus.AddConsumer<EvaluateCheckpointConsumer, EvaluateCheckpointConsumerDefinition>();
                    bus.AddConsumer<CheckpointSavedFaultConsumer>();
                    break;
                case PipelineService.RankAnalysis:
                    bus.AddConsumer<AnalyseCheckpointRanksConsumer, AnalyseCheckpointRanksConsumerDefinition>();
                    bus.AddConsumer<CheckpointSavedFaultConsumer>();
                    break;
            }
    }

    /// <summary>The helpers the consumers share; registered in every pipeline process.</summary>
    public static IServiceCollection AddWorkflow(this IServiceCollection services) => services
        .AddScoped<RunFanOut>()
        .AddScoped<RunCompletion>()
        .AddScoped<RunFailures>()
        .AddScoped<ExperimentSubmitter>()
        .AddScoped<RunRetry>();
}
