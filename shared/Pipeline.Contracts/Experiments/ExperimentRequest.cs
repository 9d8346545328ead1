namespace Pipeline.Contracts.Experiments;

/// <summary>
/// The experiment request file, as written by the user. Every field is nullable so that the validator, not the
/// deserializer, reports what is missing, all at once and with JSON paths. See schemas/experiment.schema.json.
/// </summary>
public sealed record ExperimentRequest
{
    public string? Name { get; init; }
    public IReadOnlyList<int>? Seeds { get; init; }
    public BaseModelSpec? BaseModel { get; init; }
    public DatasetChoice? Datasets { get; init; }
    public string? Regime { get; init; }
    public long? TokenBudget { get; init; }
    public IReadOnlyList<long>? Milestones { get; init; }
    public IReadOnlyList<GridEntry>? Grid { get; init; }
    public IReadOnlyList<string>? EvalTasks { get; init; }
}

/// <summary>Either a built-in preset (pretrained by the pipeline on the source corpus) or a Hugging Face model directory.</summary>
public sealed record BaseModelSpec
{
    public string? Preset { get; init; }
    public string? Path { get; init; }
}

/// <summary>Source = the domain whose forgetting we measure; target = the domain the finetune should learn.</summary>
public sealed record DatasetChoice
{
    public string? Source { get; init; }
    public string? Target { get; init; }
}

/// <summary>One block of the finetuning grid; it expands to ranks × learning rates × seeds runs.</summary>
public sealed record GridEntry
{
    public string? Method { get; init; }
    public IReadOnlyList<int>? Ranks { get; init; }
    /// <summary>LoRA α; when absent α = 2r, the paper's recommendation.</summary>
    public double? Alpha { get; init; }
    public IReadOnlyList<string>? TargetModules { get; init; }
    public IReadOnlyList<double>? LearningRates { get; init; }
    public double? WeightDecay { get; init; }
    public double? Dropout { get; init; }
    public string? Optimizer { get; init; }
    public string? Schedule { get; init; }
    /// <summary>LoRA+ only: B's learning rate is this multiple of A's (PEFT's recommended 16 when absent).</summary>
    public double? LoraPlusRatio { get; init; }
    /// <summary>This entry's training seeds, instead of the experiment's: more seeds where training noise decides a finding.</summary>
    public IReadOnlyList<int>? Seeds { get; init; }
}
