using Pipeline.Contracts.Experiments;
using Pipeline.Data.Corpora;
using Pipeline.ML.Modeling;

namespace Pipeline.Compute;

/// <summary>
/// The names an experiment request may use: model presets, the built-in datasets (one per domain; the regime picks
/// its CPT or IFT form) and the built-in evaluation tasks with the JSONL file each is read from.
/// </summary>
public static class BuiltInCatalog
{
    public static readonly IReadOnlyDictionary<string, string> DatasetDomains = new Dictionary<string, string>
    {
        ["prose"] = Domains.Source, ["python"] = Domains.Code, ["math"] = Domains.Math,
    };

    public sealed record TaskInfo(string File, string Domain, string Kind);

    public static readonly IReadOnlyDictionary<string, TaskInfo> Tasks = new Dictionary<string, TaskInfo>
    {
        ["prose-perplexity"] = new("perplexity-source.jsonl", Domains.Source, "perplexity"),
        ["prose-choice"] = new("multiple-choice-source.jsonl", Domains.Source, "multiple_choice"),
        ["python-perplexity"] = new("perplexity-code.jsonl", Domains.Code, "perplexity"),
        ["python-functions"] = new("generation-code.jsonl", Domains.Code, "generation"),
        ["math-perplexity"] = new("perplexity-math.jsonl", Domains.Math, "perplexity"),
        ["math-gsm"] = new("generation-math.jsonl", Domains.Math, "generation"),
    };

    public static ExperimentCatalog Create() => new(
        ModelPresets.All.ToDictionary(p => p.Key, p => Dimensions(p.Value)),
        DatasetDomains.Keys.ToHashSet(),
        Tasks.Keys.ToHashSet());

    public static ModelDimensions Dimensions(LlamaConfig c) =>
        new(c.HiddenSize, c.IntermediateSize, c.NumHiddenLayers, c.NumAttentionHeads, c.NumKeyValueHeads);
}
