using Pipeline.Contracts.Experiments;

namespace Pipeline.Contracts.Stages;

// The compute behind each service, one port per service, named after it: IDataPrepStage is what the data-prep
// service needs, ITrainerStage the trainer's, and so on. Their adapters (Pipeline.Compute) carry the same stem; the
// consumers only move messages and rows around them.

public interface IDataPrepStage
{
    Task<PreparedData> PrepareAsync(Experiment experiment, CancellationToken ct);
}

public interface ITrainerStage
{
    /// <summary>Pretrains a built-in base model once; the result is stored under the request's cache key.</summary>
    Task<ModelArtifact> PretrainAsync(BasePretrainRequest request, IProgress<RunProgress> progress, CancellationToken ct);

    /// <summary>Yields one checkpoint per milestone. Resumable: milestones already on disk are yielded again without retraining.</summary>
    IAsyncEnumerable<CheckpointArtifact> FinetuneAsync(RunRequest run, IProgress<RunProgress> progress, CancellationToken ct);
}

public interface IEvaluatorStage
{
    Task<EvaluationResult> EvaluateAsync(CheckpointSaved checkpoint, CancellationToken ct);
}

public interface IRankAnalysisStage
{
    Task<IReadOnlyList<RankResult>> AnalyseAsync(CheckpointSaved checkpoint, CancellationToken ct);
}
