using Pipeline.Contracts.Experiments;
using Pipeline.Data.Corpora;
using Pipeline.ML.Evaluation;
using Pipeline.ML.Modeling;

namespace Pipeline.Compute;

/// <summary>
/// The names an experiment request may use: model presets, the built-in datasets (one per domain; the regime picks
/// its CPT or IFT form) and the built-in evaluation tasks, each a <see cref="TaskDefinition"/> whose file lies in the
/// built-in task set.
/// </summary>
public static class BuiltInCatalog
{
    public static readonly IReadOnlyDictionary<string, string> DatasetDomains = new Dictionary<string, string>
    {
        ["prose"] = Domains.Source, ["python"] = Domains.Code, ["math"] = Domains.Math,
    };

    public static readonly IReadOnlyDictionary<string, TaskDefinition> Tasks = new TaskDefinition[]
    {
        TaskDefinition.Rolling("prose-perplexity", Domains.Source, "perplexity-source.jsonl"),
        TaskDefinition.Choice("prose-choice", Domains.Source, "multiple-choice-source.jsonl"),
        TaskDefinition.Rolling("python-perplexity", Domains.Code, "perplexity-code.jsonl"),
        TaskDefinition.Generation("python-functions", Domains.Code, "generation-code.jsonl", [AnswerMatcher.FirstLine]),
        TaskDefinition.Rolling("math-perplexity", Domains.Math, "perplexity-math.jsonl"),
        TaskDefinition.Generation("math-gsm", Domains.Math, "generation-math.jsonl", TaskDefinition.Gsm8kFilters),
    }.ToDictionary(t => t.Name);

    public static ExperimentCatalog Create() => new(
        ModelPresets.All.ToDictionary(p => p.Key, p => Dimensions(p.Value)),
        DatasetDomains.Keys.ToHashSet(),
        Tasks.Keys.ToHashSet());

    public static ModelDimensions Dimensions(LlamaConfig c) =>
        new(c.HiddenSize, c.IntermediateSize, c.NumHiddenLayers, c.NumAttentionHeads, c.NumKeyValueHeads);
}
