using Microsoft.Extensions.Configuration;

namespace Pipeline.Compute;

/// <summary>
/// How the compute runs on this machine (section Pipeline:Compute): device, threads, batch shape, the size of a
/// built-in base model's pretraining, and how much of each evaluation set to score.
/// </summary>
public sealed record ComputeSettings
{
    public string Device { get; init; } = "auto";
    public int? Threads { get; init; }
    public int BatchSize { get; init; } = 16;

    /// <summary>Training sequence length; null uses the model's context (capped at 256 for built-in presets).</summary>
    public int? SequenceLength { get; init; }

    public long PretrainTokens { get; init; } = 800_000;
    public double PretrainLearningRate { get; init; } = 2e-3;
    public int EvalBatchSize { get; init; } = 16;
    public int MaxPerplexityDocuments { get; init; } = 32;

    /// <summary>
    /// Each perplexity document is scored on its first this many characters (about 1,000 tokens): the standard error
    /// comes from the spread across documents, so more, shorter documents measure better for the same compute than a
    /// few whole books.
    /// </summary>
    public int MaxPerplexityDocumentChars { get; init; } = 4000;
    public int MaxMultipleChoiceItems { get; init; } = 300;
    public int MaxGenerationItems { get; init; } = 100;
    public int MaxNewTokens { get; init; } = 64;
    public int DiversityPrompts { get; init; } = 20;
    public int DiversitySamples { get; init; } = 4;
    public bool IntruderDimensions { get; init; } = true;

    public static ComputeSettings From(IConfiguration configuration) =>
        configuration.GetSection("Pipeline:Compute").Get<ComputeSettings>() ?? new ComputeSettings();
}
