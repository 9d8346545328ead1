using Pipeline.Data.Datasets;
using Pipeline.ML.Adapters;
using Pipeline.ML.Checkpoints;
using Pipeline.ML.Modeling;
using static TorchSharp.torch;

namespace Pipeline.ML.Training;

public enum FinetuneMethod { Full, Lora, RsLora, Dora, LoraPlus }

/// <summary>One cell of a study's grid: the method, its adapter settings and the optimisation settings.</summary>
public sealed record RunSpec
{
    public FinetuneMethod Method { get; init; }
    public int Rank { get; init; } = 16;
    public double? Alpha { get; init; }
    public IReadOnlyList<string> TargetModules { get; init; } = ["all"];
    public double LoraDropout { get; init; }
    public double LoraPlusLrRatio { get; init; } = 16;

    /// <summary>Hidden-state dropout for the full-finetuning regularization baseline.</summary>
    public double HiddenDropout { get; init; }

    public required TrainingOptions Training { get; init; }

    public LoraConfig? Adapter => Method == FinetuneMethod.Full ? null : new LoraConfig
    {
        Rank = Rank, Alpha = Alpha, TargetModules = TargetModules, Dropout = LoraDropout,
        UseRsLora = Method == FinetuneMethod.RsLora,
        UseDora = Method == FinetuneMethod.Dora,
        LoraPlusLrRatio = Method == FinetuneMethod.LoraPlus ? LoraPlusLrRatio : null,
    };
}

/// <summary>A checkpoint written at a token milestone: a full HF model directory, or a PEFT adapter directory.</summary>
public sealed record SavedCheckpoint(int Index, long Step, long Tokens, double Loss, string Directory, bool IsAdapter);

/// <summary>Pretraining a built-in base model, and finetuning any base with any method, to directories on disk.</summary>
public static class TrainingRun
{
    /// <summary>Trains a freshly initialised model and saves it as an HF directory at <paramref name="modelDirectory"/>.</summary>
    public static void Pretrain(LlamaConfig config, IBatchSource batches, TrainingOptions options, string modelDirectory,
        string stateDirectory, Device device, string? tokenizerFrom = null, Action<TrainingProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        using var model = new LlamaForCausalLM(config, device);
        model.InitializeWeights(options.Seed);
        var trainer = new Trainer(model, batches, options, stateDirectory);
        if (progress is not null) trainer.Progress += progress;
        trainer.Run(cancellation);
        HfModelDirectory.Save(model, modelDirectory, tokenizerFrom: tokenizerFrom);
    }

    /// <summary>
    /// Finetunes the base at <paramref name="baseModelDirectory"/>, saving a checkpoint at every milestone under
    /// <paramref name="outputDirectory"/>/checkpoints and the resumable state under <paramref name="outputDirectory"/>/state.
    /// A rerun after a crash resumes from that state; every checkpoint written so far is returned.
    /// </summary>
    public static IReadOnlyList<SavedCheckpoint> Finetune(string baseModelDirectory, IBatchSource batches, RunSpec spec,
        string outputDirectory, Device device, Action<TrainingProgress>? progress = null,
        Action<SavedCheckpoint>? checkpointSaved = null, CancellationToken cancellation = default)
    {
        using var model = HfModelDirectory.Load(baseModelDirectory, device,
            adjust: config => config with { HiddenDropout = spec.HiddenDropout });
        var adapter = spec.Adapter;
        if (adapter is not null) LoraModel.Inject(model, adapter, seed: spec.Training.Seed);
        var options = spec.Training with { LoraPlusLrRatio = adapter?.LoraPlusLrRatio };
        var trainer = new Trainer(model, batches, options, Path.Combine(outputDirectory, "state"));
        if (progress is not null) trainer.Progress += progress;
        trainer.MilestoneReached += milestone =>
        {
            var saved = SaveCheckpoint(model, adapter, milestone, baseModelDirectory, outputDirectory);
            checkpointSaved?.Invoke(saved);
        };
        var state = trainer.Run(cancellation);
        return CheckpointsIn(outputDirectory, adapter is not null, state);
    }

    public static string CheckpointDirectory(string outputDirectory, long tokens) =>
        Path.Combine(outputDirectory, "checkpoints", $"tokens-{tokens:D12}");

    private static SavedCheckpoint SaveCheckpoint(LlamaForCausalLM model, LoraConfig? adapter, Milestone milestone,
        string baseModelDirectory, string outputDirectory)
    {
        var directory = CheckpointDirectory(outputDirectory, milestone.Tokens);
        model.eval();
        if (adapter is null) HfModelDirectory.Save(model, directory, tokenizerFrom: baseModelDirectory);
        else PeftAdapter.Save(model, adapter, directory, Path.GetFullPath(baseModelDirectory));
        model.train();
        return new SavedCheckpoint(milestone.Index, milestone.Step, milestone.Tokens, milestone.Loss, directory, adapter is not null);
    }

    private static List<SavedCheckpoint> CheckpointsIn(string outputDirectory, bool isAdapter, TrainingState state)
    {
        var root = Path.Combine(outputDirectory, "checkpoints");
        if (!Directory.Exists(root)) return [];
        return Directory.GetDirectories(root, "tokens-*").Order(StringComparer.Ordinal)
            .Select((directory, index) =>
            {
                long tokens = long.Parse(Path.GetFileName(directory)["tokens-".Length..]);
                long tokensPerStep = state.Step == 0 ? 1 : state.Tokens / state.Step;
                long step = (tokens + tokensPerStep - 1) / tokensPerStep;
                return new SavedCheckpoint(index, step, tokens, state.Losses.ElementAtOrDefault((int)step - 1), directory, isAdapter);
            })
            .ToList();
    }
}
