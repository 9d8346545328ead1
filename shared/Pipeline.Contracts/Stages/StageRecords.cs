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
    GridCell Spec,
    string Regime,
    long TokenBudget,
    IReadOnlyList<long> Milestones,
    ModelArtifact BaseModel,
    IReadOnlyList<NamedArtifact> Datasets,
    IReadOnlyList<NamedArtifact> EvalTasks);

public sealed record RunProgress(
    long Step, long TotalSteps, long TokensSeen, long TotalTokens, double Loss, double LearningRate, double TokensPerSecond)
{
    public TimeSpan? Eta => TokensPerSecond > 0 ? TimeSpan.FromSeconds((TotalTokens - TokensSeen) / TokensPerSecond) : null;
}

/// <summary>One lm-evaluation-harness style number: task, domain (source/target), metric (acc, acc_norm, …), value ± stderr.</summary>
public sealed record MetricResult(string Task, string Domain, string Metric, double Value, double? StdErr);

/// <summary>
/// One evaluated item, as lm-evaluation-harness's <c>--log_samples</c> writes it: the item (<c>doc</c>, as JSON), the
/// target, the model's responses before and after answer extraction (JSON arrays), and its per-item metric fields.
/// </summary>
/// <param name="DocId">The item's index in the task file as scored: the same item has the same DocId at every checkpoint.</param>
/// <param name="ItemId">The item's own id: a perplexity document's, a task file's <c>id</c>, else the DocId.</param>
/// <param name="SourceId">The document the item was drawn from; items sharing one are correlated. Null: the item is its own.</param>
/// <param name="Values">
/// Perplexity: <c>loglikelihood</c> (natural log, the whole document), <c>tokens</c>, <c>bytes</c>, <c>words</c>, and the
/// document's own <c>word_perplexity</c>, <c>byte_perplexity</c> and <c>bits_per_byte</c>. Multiple choice: <c>acc</c>,
/// <c>acc_norm</c>, <c>predicted</c>, <c>predicted_norm</c>, <c>label</c>, <c>loglikelihood_0</c> … one per choice.
/// Generation: each exact-match metric by name (0/1).
/// </param>
public sealed record SampleResult(string Task, string Domain, int DocId, string ItemId, string? SourceId, string DocJson, string Target,
    string ResponsesJson, string FilteredResponsesJson, IReadOnlyDictionary<string, double> Values);

/// <summary>A checkpoint's evaluation: the aggregate metrics and the per-item records behind them.</summary>
public sealed record EvaluationResult(IReadOnlyList<MetricResult> Metrics, IReadOnlyList<SampleResult> Samples);

/// <summary>The spectrum of ΔW for one projection: rank for 90% of the variance, against a random matrix of the same shape.</summary>
public sealed record RankResult(
    int Layer, string Module, int Rows, int Columns, int Rank90, int RandomRank90, double StableRank, int IntruderCount,
    IReadOnlyList<double> Spectrum);

/// <summary>Thrown by a trainer on NaN/inf loss or exploding gradients: the run is marked diverged, never retried.</summary>
public sealed class RunDivergedException(long step, string reason)
    : Exception($"Training diverged at step {step}: {reason}")
{
    public long Step { get; } = step;
}
