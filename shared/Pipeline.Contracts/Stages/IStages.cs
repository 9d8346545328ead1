using Pipeline.Contracts.Experiments;

namespace Pipeline.Contracts.Stages;

// The compute behind each service, one small interface per stage. Implementations live with Pipeline.ML and
// Pipeline.Data; the consumers only move messages and rows around them.

public interface IDataPreparation
{
    Task<PreparedData> PrepareAsync(ExperimentRequest request, CancellationToken ct);
}

public interface IBasePretraining
{
    Task<ModelArtifact> PretrainAsync(BasePretrainRequest request, IProgress<TrainingProgress> progress, CancellationToken ct);
}

public interface IFinetuning
{
    /// <summary>Yields one checkpoint per milestone. Resumable: milestones already on disk are yielded again without retraining.</summary>
    IAsyncEnumerable<CheckpointArtifact> TrainAsync(RunRequest run, IProgress<TrainingProgress> progress, CancellationToken ct);
}

public interface IEvaluation
{
    Task<EvaluationResult> EvaluateAsync(CheckpointSaved checkpoint, CancellationToken ct);
}

public interface IRankAnalysis
{
    Task<IReadOnlyList<RankResult>> AnalyseAsync(CheckpointSaved checkpoint, CancellationToken ct);
}
