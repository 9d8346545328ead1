using Pipeline.Data;
using Pipeline.Data.Datasets;
using Pipeline.ML.Adapters;
using Pipeline.ML.Checkpoints;
using Pipeline.ML.Modeling;
using static TorchSharp.torch;

namespace Pipeline.ML.Training;

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
        var trainer = new TrainingLoop(model, batches, options, stateDirectory);
        if (progress is not null) trainer.Progress += progress;
        trainer.Run(cancellation);
        HfModelDirectory.Save(model, modelDirectory, tokenizerFrom: tokenizerFrom);
    }

    /// <summary>
    /// Finetunes the base at <paramref name="baseModelDirectory"/>, keeping its resumable state in
    /// <paramref name="stateDirectory"/>: a rerun after a crash resumes there. At every milestone the checkpoint (an HF
    /// directory for full finetuning, a PEFT adapter otherwise) goes through <paramref name="writeCheckpoint"/> and is
    /// announced through <paramref name="checkpointSaved"/>.
    /// </summary>
    public static TrainingState Finetune(string baseModelDirectory, IBatchSource batches, RunSpec spec, string stateDirectory,
        CheckpointWriter writeCheckpoint, Device device, Action<TrainingProgress>? progress = null,
        Action<SavedCheckpoint>? checkpointSaved = null, CancellationToken cancellation = default)
    {
        using var model = HfModelDirectory.Load(baseModelDirectory, device,
            adjust: config => config with { HiddenDropout = spec.HiddenDropout });
        var adapter = spec.Adapter;
        if (adapter is not null) LoraModel.Inject(model, adapter, seed: spec.Training.Seed);
        var options = spec.Training with { LoraPlusLrRatio = adapter?.LoraPlusLrRatio };
        var trainer = new TrainingLoop(model, batches, options, stateDirectory);
        if (progress is not null) trainer.Progress += progress;
        trainer.MilestoneReached += milestone =>
        {
            model.eval();
            var directory = writeCheckpoint(milestone, target => WriteCheckpointFiles(model, adapter, baseModelDirectory, target));
            model.train();
            checkpointSaved?.Invoke(new SavedCheckpoint(milestone.Index, milestone.Step, milestone.Tokens, milestone.Loss, directory, adapter is not null));
        };
        return trainer.Run(cancellation);
    }

    /// <summary>Checkpoints as folders OUT/checkpoints/tokens-N, each written atomically.</summary>
    public static CheckpointWriter CheckpointsUnder(string outputDirectory) => (milestone, write) =>
    {
        var directory = Path.Combine(outputDirectory, "checkpoints", $"tokens-{milestone.Tokens:D12}");
        AtomicFile.WriteDirectory(directory, write);
        return directory;
    };

    private static void WriteCheckpointFiles(LlamaForCausalLM model, LoraConfig? adapter, string baseModelDirectory, string directory)
    {
        if (adapter is null) HfModelDirectory.Save(model, directory, tokenizerFrom: baseModelDirectory);
        else PeftAdapter.Save(model, adapter, directory, Path.GetFullPath(baseModelDirectory));
    }
}

/// <summary>Writes a checkpoint's files (through <paramref name="writeFiles"/>, into the folder it is given) and returns where they are.</summary>
public delegate string CheckpointWriter(Milestone milestone, Action<string> writeFiles);
