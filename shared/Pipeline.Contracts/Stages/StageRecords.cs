using Pipeline.Contracts.Experiments;

namespace Pipeline.Contracts.Stages;

/// <summary>
/// What data preparation hands on: the built datasets and evaluation task sets, and the base model, either ready
/// (a Hugging Face directory) or to be pretrained once (a built-in preset), under a content key.
/// </summary>
public sealed record PreparedData(
    IReadOnlyList<NamedArtifact> Datasets,
    IReadOnlyList<NamedArtifact> EvalTasks,
    ModelArtifact? BaseModel,
    BasePretrainRequest? BasePretraining)
{
    public void EnsureConsistent()
    {
        if ((BaseModel is null) == (BasePretraining is null))
            throw new InvalidOperationException("PreparedData must carry exactly one of BaseModel or BasePretraining.");
    }
}

/// <summary>Pretrain a built-in preset on the source corpus; CacheKey hashes everything that determines the result.</summary>
public sealed record BasePretrainRequest(string CacheKey, string Preset, NamedArtifact Corpus, long TokenBudget, int Seed);

/// <summary>Everything a trainer needs for one grid cell.</summary>
public sealed record RunRequest(
    Guid ExperimentId,
    Guid RunId,
    RunSpec Spec,
    string Regime,
    long TokenBudget,
    IReadOnlyList<long> Milestones,
    ModelArtifact BaseModel,
    IReadOnlyList<NamedArtifact> Datasets,
    IReadOnlyList<NamedArtifact> EvalTasks);

public sealed record TrainingProgress(
    long Step, long TotalSteps, long TokensSeen, long TotalTokens, double Loss, double LearningRate, double TokensPerSecond)
{
    public TimeSpan? Eta => TokensPerSecond > 0 ? TimeSpan.FromSeconds((TotalTokens - TokensSeen) / TokensPerSecond) : null;
}

/// <summary>One lm-evaluation-harness style number: task, domain (source/target), metric (acc, acc_norm, …), value ± stderr.</summary>
public sealed record MetricResult(string Task, string Domain, string Metric, double Value, double? StdErr);

/// <summary>The spectrum of ΔW for one projection: rank for 90% of the variance, against a random matrix of the same shape.</summary>
public sealed record RankResult(
    int Layer, string Module, int Rows, int Columns, int Rank90, int RandomRank90, double StableRank, int IntruderCount,
    IReadOnlyList<double> Spectrum);

/// <summary>Thrown by a trainer on NaN/inf loss or exploding gradients: the run is marked diverged, never retried.</summary>
public sealed class TrainingDivergedException(long step, string reason)
    : Exception($"Training diverged at step {step}: {reason}")
{
    public long Step { get; } = step;
}
