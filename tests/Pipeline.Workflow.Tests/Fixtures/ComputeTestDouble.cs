using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Pipeline.Contracts;
using Pipeline.Contracts.Experiments;
using Pipeline.Contracts.Stages;

namespace Pipeline.Workflow.Tests.Fixtures;

/// <summary>
/// TEST DOUBLE of the compute stages (the real ones are Pipeline.ML and Pipeline.Data). It does small deterministic
/// work and counts what it was asked to do, so tests can assert on the pipeline: rows, statuses, idempotency, which
/// process did what. No test asserts on the numbers it produces.
/// </summary>
public sealed class ComputeTestDouble(string name = "compute") : IDataPrepStage, ITrainerStage, IEvaluatorStage, IRankAnalysisStage
{
    public string Name { get; } = name;
    public ConcurrentBag<Guid> TrainedRuns { get; } = [];
    public ConcurrentBag<string> Pretrained { get; } = [];
    public ConcurrentDictionary<Guid, int> Evaluations { get; } = new();
    public ConcurrentDictionary<Guid, int> TrainingAttempts { get; } = new();
    /// <summary>Runs (by learning rate) whose training always throws: a poison message.</summary>
    public ConcurrentDictionary<double, bool> PoisonLearningRates { get; } = new();
    /// <summary>Runs (by learning rate) whose loss becomes NaN.</summary>
    public ConcurrentDictionary<double, bool> DivergingLearningRates { get; } = new();
    public TimeSpan StepDelay { get; set; } = TimeSpan.FromMilliseconds(5);

    public static readonly ExperimentCatalog Catalog = new(
        new Dictionary<string, ModelDimensions> { ["ci"] = new(32, 64, 2, 4, 4), ["tiny"] = new(256, 688, 4, 4, 4) },
        new HashSet<string> { "prose", "python", "math" },
        new HashSet<string> { "prose-choice", "python-perplexity", "math-gsm" });

    public Task<PreparedData> PrepareAsync(Experiment experiment, CancellationToken ct)
    {
        NamedArtifact Artifact(string dataset, string domain) => new(dataset, domain, new ArtifactRef($"datasets/{dataset}", Sha(dataset)));
        var datasets = new[] { Artifact(experiment.SourceDataset, "source"), Artifact(experiment.TargetDataset, "target") };
        var tasks = experiment.EvalTasks.Select(t => Artifact(t, t.StartsWith(experiment.SourceDataset) ? "source" : "target")).ToList();
        var pretraining = new BasePretrainRequest(Sha($"{experiment.BaseModel.Preset}|{experiment.SourceDataset}"), experiment.BaseModel.Preset!, datasets[0], 1000, 0);
        return Task.FromResult(new PreparedData(datasets, tasks, null, pretraining));
    }

    public async Task<ModelArtifact> PretrainAsync(BasePretrainRequest request, IProgress<RunProgress> progress, CancellationToken ct)
    {
        Pretrained.Add(request.CacheKey);
        for (var step = 1; step <= 3; step++)
        {
            await Task.Delay(StepDelay, ct);
            progress.Report(new RunProgress(step, 3, step * 100, 300, 5.0 / step, 1e-3, 1000));
        }
        return new ModelArtifact(request.CacheKey, $"{request.Preset} pretrained", new ArtifactRef($"models/{request.CacheKey}", Sha(request.CacheKey)));
    }

    public async IAsyncEnumerable<CheckpointArtifact> FinetuneAsync(RunRequest run, IProgress<RunProgress> progress, [EnumeratorCancellation] CancellationToken ct)
    {
        TrainingAttempts.AddOrUpdate(run.RunId, 1, (_, n) => n + 1);
        if (PoisonLearningRates.ContainsKey(run.Spec.LearningRate)) throw new InvalidOperationException($"poisoned run at lr {run.Spec.LearningRate}");
        TrainedRuns.Add(run.RunId);
        long step = 0;
        for (var i = 0; i < run.Milestones.Count; i++)
        {
            await Task.Delay(StepDelay, ct);
            step += 10;
            if (DivergingLearningRates.ContainsKey(run.Spec.LearningRate)) throw new RunDivergedException(step, "loss is NaN");
            progress.Report(new RunProgress(step, 10 * run.Milestones.Count, run.Milestones[i], run.TokenBudget, 1.0 / (i + 1), run.Spec.LearningRate, 5000));
            var path = $"runs/{run.RunId}/milestone-{i}";
            yield return new CheckpointArtifact(i, step, run.Milestones[i], new ArtifactRef(path, Sha(path)), run.Spec.Rank is null ? null : new ArtifactRef(path + "/adapter", Sha(path + "a")));
        }
    }

    /// <summary>Each task scores acc 0.5: four items, two right, which differ by checkpoint so a paired comparison has something to pair.</summary>
    public Task<EvaluationResult> EvaluateAsync(CheckpointSaved checkpoint, CancellationToken ct)
    {
        Evaluations.AddOrUpdate(checkpoint.CheckpointId, 1, (_, n) => n + 1);
        var metrics = checkpoint.Run.EvalTasks.Select(t => new MetricResult(t.Name, t.Domain, "acc", 0.5, 0.01)).ToList();
        var samples = checkpoint.Run.EvalTasks.SelectMany(t => Enumerable.Range(0, 4).Select(i =>
        {
            var acc = (i + checkpoint.Checkpoint.MilestoneIndex) % 2 == 0 ? 1.0 : 0.0;
            return new SampleResult(t.Name, t.Domain, i, $"item-{i}", $"doc-{i / 2}", $"{{\"id\":{i}}}", "0",
                $"[[[{-i - 1.0}, false]]]", $"[[{-i - 1.0}, false]]", new Dictionary<string, double> { ["acc"] = acc });
        })).ToList();
        return Task.FromResult(new EvaluationResult(metrics, samples));
    }

    public Task<IReadOnlyList<RankResult>> AnalyseAsync(CheckpointSaved checkpoint, CancellationToken ct)
    {
        IReadOnlyList<RankResult> ranks = checkpoint.Run.Spec.TargetModules
            .Select(m => new RankResult(0, m, 32, 32, 8, 28, 3.5, 0, [3.0, 2.0, 1.0])).ToList();
        return Task.FromResult(ranks);
    }

    static string Sha(string text) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
}
