using Pipeline.ML.Modeling;

namespace Pipeline.ML.Adapters;

/// <summary>
/// A LoRA adapter's hyperparameters, as PEFT's LoraConfig. Scaling is α/r, or α/√r with rsLoRA; DoRA adds a learned
/// magnitude per output row. LoRA+ only changes the optimizer (B's learning rate = ratio × A's), so it lives here too.
/// </summary>
public sealed record LoraConfig
{
    public static readonly IReadOnlyList<string> AttentionModules = LlamaAttention.Projections;
    public static readonly IReadOnlyList<string> MlpModules = LlamaMlp.Projections;
    public static readonly IReadOnlyList<string> AllModules = [.. AttentionModules, .. MlpModules];

    public required int Rank { get; init; }

    /// <summary>PEFT's lora_alpha. Always given: the pipeline's default, α = 2r, is resolved with the request.</summary>
    public required double Alpha { get; init; }

    public IReadOnlyList<string> TargetModules { get; init; } = AllModules;
    public double Dropout { get; init; }
    public bool UseRsLora { get; init; }
    public bool UseDora { get; init; }

    /// <summary>LoRA+: B's learning rate is this many times A's. Null for plain LoRA; the LoRA+ paper recommends 16.</summary>
    public double? LoraPlusLrRatio { get; init; }

    public double Scaling => UseRsLora ? Alpha / Math.Sqrt(Rank) : Alpha / Rank;

    /// <summary>Expands the presets <c>attention</c>, <c>mlp</c> and <c>all</c>; checks explicit module names.</summary>
    public static IReadOnlyList<string> ResolveTargets(IEnumerable<string> targets)
    {
        var resolved = new List<string>();
        foreach (var target in targets)
        {
            resolved.AddRange(target switch
            {
                "attention" => AttentionModules,
                "mlp" => MlpModules,
                "all" or "all-linear" => AllModules,
                _ when AllModules.Contains(target) => [target],
                _ => throw new ArgumentException(
                    $"target_modules: unknown module '{target}' (use attention, mlp, all or any of {string.Join(", ", AllModules)})"),
            });
        }
        return [.. resolved.Distinct()];
    }

    public void Validate()
    {
        if (Rank <= 0) throw new ArgumentException($"r must be positive (got {Rank})");
        if (!(Alpha > 0)) throw new ArgumentException($"lora_alpha must be positive (got {Alpha})");
        if (!(Dropout >= 0 && Dropout < 1)) throw new ArgumentException($"lora_dropout must be in [0, 1) (got {Dropout})");
        if (LoraPlusLrRatio is { } ratio && !(ratio > 0)) throw new ArgumentException($"loraplus_lr_ratio must be positive (got {ratio})");
        if (TargetModules.Count == 0) throw new ArgumentException("target_modules must name at least one module");
        _ = ResolveTargets(TargetModules);
    }
}
