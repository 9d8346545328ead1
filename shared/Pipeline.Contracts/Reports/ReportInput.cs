namespace Pipeline.Contracts.Reports;

/// <summary>
/// Everything a study report needs: the contract between the results database (Persistence's ReportData fills it)
/// and Pipeline.Reporting, which reads nothing else.
/// </summary>
/// <param name="Regime">"cpt" or "ift"; only shown in the report.</param>
/// <param name="LoraRanksOfInterest">The LoRA ranks the study sweeps; drawn as reference lines next to ΔW's rank.</param>
public sealed record ReportInput(
    string ExperimentName,
    string Regime,
    IReadOnlyList<ReportRun> Runs,
    IReadOnlyList<ReportCheckpoint> Checkpoints,
    IReadOnlyList<int> LoraRanksOfInterest,
    int HiddenSize);

/// <param name="Method">"base" (the starting model, one checkpoint at 0 tokens), "full", "lora", "rslora", "dora" or "loraplus".</param>
/// <param name="TargetModules">"all", "mlp", "attention", … ; ignored for full finetuning.</param>
public sealed record ReportRun(
    string RunKey,
    string Method,
    int? Rank,
    string TargetModules,
    double LearningRate,
    double WeightDecay,
    double Dropout,
    int Seed,
    string Status);

/// <param name="Samples">The per-item records of its evaluation (lm-eval's --log_samples); empty for checkpoints evaluated without them.</param>
public sealed record ReportCheckpoint(string RunKey, long Tokens, IReadOnlyList<ReportMetric> Metrics, IReadOnlyList<ReportRank> Ranks,
    IReadOnlyList<ReportSample>? Samples = null)
{
    public IReadOnlyList<ReportSample> Samples { get; init; } = Samples ?? [];

    /// <summary>The base model itself, before any finetuning (<c>CheckpointArtifact.IsBase</c> of the checkpoint it was read from).</summary>
    public bool IsBase { get; init; }
}

/// <param name="Domain">"source" (what forgetting is measured on) or "target" (what learning is measured on).</param>
/// <param name="Metric">lm-evaluation-harness style name, e.g. "acc_norm", "exact_match,strict-match", "bits_per_byte", "distinct_2".</param>
public sealed record ReportMetric(string Task, string Domain, string Metric, double Value, double? StdErr);

/// <summary>One evaluated item of a checkpoint: a document or a question, and its per-item metric fields.</summary>
/// <param name="DocId">The item's index in the task file: the same item has the same DocId at every checkpoint.</param>
/// <param name="SourceId">The source document the item was drawn from; items sharing one are correlated. Null: the item is its own.</param>
/// <param name="Values">Per-item fields: "acc", "acc_norm", "exact_match,strict-match", … (0/1), or "loglikelihood" and "bytes" for perplexity.</param>
public sealed record ReportSample(string Task, string Domain, int DocId, string? SourceId, IReadOnlyDictionary<string, double> Values);

/// <summary>Spectral analysis of one weight matrix's change ΔW at one checkpoint.</summary>
/// <param name="Module">The projection's Hugging Face name: "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj" or "down_proj".</param>
/// <param name="Rank90">Rank explaining 90% of ΔW's variance; <paramref name="RandomRank90"/> the same for a Gaussian matrix of its shape.</param>
/// <param name="Intruders05">Intruder dimensions among the top singular vectors at ε = 0.5 (PEFT's default); null when not analysed.</param>
public sealed record ReportRank(
    int Layer,
    string Module,
    int Rank90,
    int RandomRank90,
    double StableRank,
    int? Intruders05,
    int? Intruders06,
    IReadOnlyList<double> Spectrum);
