using Pipeline.ML.Adapters;

namespace Pipeline.ML.Training;

public enum FinetuneMethod { Full, Lora, RsLora, Dora, LoraPlus }

/// <summary>What one training run trains: the method, its adapter and its optimisation settings (from a grid cell by Compute's RunSpecs.ForCell).</summary>
public sealed record RunSpec
{
    public FinetuneMethod Method { get; init; }
    public int Rank { get; init; } = 16;
    public double? Alpha { get; init; }
    public IReadOnlyList<string> TargetModules { get; init; } = ["all"];
    public double LoraDropout { get; init; }
    /// <summary>LoRA+ only: B's learning rate over A's.</summary>
    public double? LoraPlusLrRatio { get; init; }

    /// <summary>Hidden-state dropout for the full-finetuning regularization baseline.</summary>
    public double HiddenDropout { get; init; }

    public required TrainingOptions Training { get; init; }

    /// <summary>The adapter a LoRA-family run injects (null for full finetuning); α and the LoRA+ ratio must be given.</summary>
    public LoraConfig? Adapter => Method == FinetuneMethod.Full ? null : new LoraConfig
    {
        Rank = Rank,
        Alpha = Alpha ?? throw new InvalidOperationException($"a {Method} run needs its lora_alpha"),
        TargetModules = TargetModules,
        Dropout = LoraDropout,
        UseRsLora = Method == FinetuneMethod.RsLora,
        UseDora = Method == FinetuneMethod.Dora,
        LoraPlusLrRatio = Method != FinetuneMethod.LoraPlus ? null
            : LoraPlusLrRatio ?? throw new InvalidOperationException("a LoRA+ run needs its loraplus_lr_ratio"),
    };
}
