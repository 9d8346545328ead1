using Microsoft.Extensions.DependencyInjection;

namespace Pipeline.Workflow;

/// <summary>
/// The seam between the pipeline and the compute: registers the five stage implementations (IDataPreparation,
/// IBasePretraining, IFinetuning, IEvaluation, IRankAnalysis) and the ExperimentCatalog, built from Pipeline.ML and
/// Pipeline.Data. Every host calls it; until those libraries are wired here, StageCheck stops a service at start
/// with the list of what is missing.
/// </summary>
public static class ComputeStages
{
    public static IServiceCollection AddComputeStages(this IServiceCollection services) => services;
}
