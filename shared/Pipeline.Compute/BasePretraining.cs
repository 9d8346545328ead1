using Pipeline.Contracts.Stages;
using Pipeline.Data.Artifacts;
using Pipeline.Data.Corpora;
using Pipeline.Data.Datasets;
using Pipeline.Data.Tokenization;
using Pipeline.ML.Modeling;
using Pipeline.ML.Training;
using static TorchSharp.torch;
using TrainingProgress = Pipeline.Contracts.Stages.TrainingProgress;

namespace Pipeline.Compute;

/// <summary>
/// Pretrains a built-in preset from Llama's initialisation on the source corpus (AdamW, the paper's cosine schedule),
/// straight into the artifact store under the request's cache key. Resumes from its state after a crash.
/// </summary>
public sealed class BasePretraining(ArtifactStore store, ComputeSettings settings, Device device, ComputeGate gate) : IBasePretraining
{
    public Task<ModelArtifact> PretrainAsync(BasePretrainRequest request, IProgress<TrainingProgress> progress, CancellationToken ct) =>
        gate.RunAsync(() => Pretrain(request, progress, ct), ct);

    private ModelArtifact Pretrain(BasePretrainRequest request, IProgress<TrainingProgress> progress, CancellationToken ct)
    {
        var dataset = TokenizedDataset.Open(ArtifactRefs.Resolve(store, request.Corpus.Artifact));
        var tokenizer = BuiltInTokenizer.GetOrTrain(store, CorpusBundle.Open());
        var config = ModelPresets.Get(request.Preset, dataset.Info.VocabSize) with { BosTokenId = dataset.Info.BosId, EosTokenId = dataset.Info.EosId };
        int sequence = TrainingLayout.SequenceLength(settings, config);
        var batches = BatchSource.Create(dataset.Split("train"), dataset.Regime, settings.BatchSize, sequence, request.Seed,
            config.EosTokenId, config.PadTokenId ?? config.EosTokenId);
        long steps = TrainingVocabulary.StepsFor(request.TokenBudget, settings.BatchSize, sequence, 1);
        var options = new TrainingOptions
        {
            LearningRate = settings.PretrainLearningRate,
            Schedule = TrainingVocabulary.PaperSchedule(ScheduleKind.Cosine, steps),
            Optimizer = new OptimizerOptions { Kind = OptimizerKind.AdamW, WeightDecay = 0.1 },
            Seed = request.Seed,
        };
        var stateDirectory = TrainingLayout.StateDirectory(store, request.CacheKey);
        store.GetOrCreate(request.CacheKey, directory => TrainingRun.Pretrain(config, batches, options, directory, stateDirectory, device,
            tokenizer, TrainingProgressReport.To(progress, request.TokenBudget), ct));
        return new ModelArtifact(request.CacheKey, $"{request.Preset} pretrained on {request.Corpus.Name} ({request.TokenBudget:N0} tokens)",
            ArtifactRefs.Of(store, request.CacheKey));
    }
}

internal static class TrainingLayout
{
    /// <summary>Where the resumable training state behind an artifact lives: outside the artifact, so a crash keeps it.</summary>
    public static string StateDirectory(ArtifactStore store, string key) => Path.Combine(store.Root, "work", key.Replace('/', '-'), "state");

    /// <summary>The configured training length, never beyond the model's context.</summary>
    public static int SequenceLength(ComputeSettings settings, LlamaConfig config) =>
        Math.Min(settings.SequenceLength ?? config.MaxPositionEmbeddings, config.MaxPositionEmbeddings);
}
