namespace Pipeline.Contracts.Experiments;

/// <summary>
/// What the compute libraries offer: built-in model presets (with their shapes), dataset names and evaluation task
/// names. The host builds it from Pipeline.ML and Pipeline.Data; the validator only checks names against it.
/// </summary>
public sealed record ExperimentCatalog(
    IReadOnlyDictionary<string, ModelDimensions> ModelPresets,
    IReadOnlySet<string> Datasets,
    IReadOnlySet<string> EvalTasks);
