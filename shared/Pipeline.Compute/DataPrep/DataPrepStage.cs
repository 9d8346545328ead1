using Pipeline.Contracts.Experiments;
using Pipeline.Contracts.Stages;
using Pipeline.Data.Artifacts;
using Pipeline.Data.Corpora;
using Pipeline.Data.Datasets;
using Pipeline.Data.Tasks;
using Pipeline.Data.Tokenization;
using Pipeline.ML.Checkpoints;

namespace Pipeline.Compute.DataPrep;

/// <summary>
/// Builds (or finds in the store) what an experiment needs: the tokenizer, the source dataset (always CPT: it
/// pretrains built-in bases and measures forgetting), the target dataset in the requested regime, the evaluation
/// task sets, and either the imported base model or the request to pretrain a built-in one.
/// </summary>
public sealed class DataPrepStage(ArtifactStore store, ComputeSettings settings, ComputeGate gate) : IDataPrepStage
{
    public Task<PreparedData> PrepareAsync(Experiment experiment, CancellationToken ct) =>
        gate.RunAsync(() => Prepare(experiment), ct);

    private PreparedData Prepare(Experiment experiment)
    {
        var bundle = CorpusBundle.Open();
        var importedModel = experiment.BaseModel.Path is { } path ? ImportModel(path) : null;
        var tokenizer = importedModel is not null ? store.Get(importedModel.Artifact.Path) : BuiltInTokenizer.GetOrTrain(store, bundle);
        var source = Dataset(bundle, tokenizer, experiment.SourceDataset, "source", Regimes.Cpt);
        var target = Dataset(bundle, tokenizer, experiment.TargetDataset, "target", experiment.Regime);
        var tasks = ArtifactRefs.Of(store, BuiltInTasks.GetOrWrite(store, bundle));
        var sourceDomain = BuiltInCatalog.DatasetDomains[experiment.SourceDataset];
        var evalTasks = experiment.EvalTasks
            .Select(name => new NamedArtifact(name, BuiltInCatalog.Tasks[name].Domain == sourceDomain ? "source" : "target", tasks))
            .ToList();
        var pretraining = importedModel is null ? PretrainRequest(experiment.BaseModel.Preset!, tokenizer, source) : null;
        return new PreparedData([source, target], evalTasks, importedModel, pretraining);
    }

    private NamedArtifact Dataset(CorpusBundle bundle, string tokenizer, string name, string role, string regime)
    {
        var directory = DatasetBuilder.GetOrBuild(store, bundle, tokenizer, new DatasetSpec(BuiltInCatalog.DatasetDomains[name], regime));
        return new NamedArtifact(name, role, ArtifactRefs.Of(store, KeyOf(directory)));
    }

    /// <summary>The base is keyed by everything that determines it, so every later experiment reuses it.</summary>
    private BasePretrainRequest PretrainRequest(string preset, string tokenizer, NamedArtifact corpus)
    {
        var key = ContentKey.Of("models", new
        {
            format = 1, preset, tokenizer = KeyOf(tokenizer), corpus = corpus.Artifact.Sha256,
            tokens = settings.PretrainTokens, lr = settings.PretrainLearningRate, settings.BatchSize, settings.SequenceLength,
        });
        return new BasePretrainRequest(key, preset, corpus, settings.PretrainTokens, Seed: 0);
    }

    /// <summary>Copies a user's Hugging Face directory into the store, so every service reads the same verified files.</summary>
    private ModelArtifact ImportModel(string path)
    {
        var directory = Path.GetFullPath(path);
        var files = Directory.GetFiles(directory).Where(IsModelFile).Order(StringComparer.Ordinal).ToList();
        var key = ContentKey.Of("models", new
        {
            format = 1, source = directory,
            files = files.Select(f => new { name = Path.GetFileName(f), size = new FileInfo(f).Length, modified = File.GetLastWriteTimeUtc(f) }),
        });
        store.GetOrCreate(key, target =>
        {
            foreach (var file in files) File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        });
        return new ModelArtifact(key, $"Hugging Face model {directory}", ArtifactRefs.Of(store, key));
    }

    private static bool IsModelFile(string file)
    {
        var name = Path.GetFileName(file);
        return name.EndsWith(".safetensors") || HfModelDirectory.TokenizerFiles.Contains(name)
            || name is HfModelDirectory.ConfigFile or HfModelDirectory.IndexFile or HfModelDirectory.GenerationConfigFile;
    }

    private string KeyOf(string directory) => Path.GetRelativePath(store.Root, directory).Replace('\\', '/');
}
