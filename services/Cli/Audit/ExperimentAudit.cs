using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Pipeline.Compute;
using Pipeline.Compute.Evaluator;
using Pipeline.Contracts;
using Pipeline.Contracts.Experiments;
using Pipeline.Contracts.Stages;
using Pipeline.Data.Artifacts;
using Pipeline.ML.Evaluation;
using Pipeline.Persistence;
using Pipeline.Persistence.Rows;

namespace Pipeline.Cli.Audit;

/// <summary>One audited quantity: how many the request implies, how many the database or store holds, and what is wrong.</summary>
public sealed record AuditCheck(string Name, long Expected, long Found, string? Problem = null)
{
    public bool Passed => Problem is null;
}

/// <summary>The audit of one experiment; <see cref="ResultsLost"/> counts the expected result rows that are missing.</summary>
public sealed record AuditReport(string Experiment, ExperimentStatus Status, IReadOnlyList<AuditCheck> Checks)
{
    public bool Complete => Status == ExperimentStatus.Completed;
    public bool Consistent => Checks.All(c => c.Passed);
    public long ResultsExpected => Checks.Where(c => c.Name is MetricRows or SampleRows or RankRows).Sum(c => c.Expected);
    public long ResultsFound => Checks.Where(c => c.Name is MetricRows or SampleRows or RankRows).Sum(c => Math.Min(c.Found, c.Expected));
    public long ResultsLost => ResultsExpected - ResultsFound;

    public const string MetricRows = "metric rows", SampleRows = "per-sample rows", RankRows = "rank-analysis rows";
}

/// <summary>
/// `pipeline audit`: checks an experiment against what its request implies. Every grid cell has a run; every run has
/// its base and milestone checkpoints, each evaluated and rank-analysed exactly once (the same metric set everywhere,
/// as many per-sample rows of each task as the checkpoint with the most, one rank row per layer and targeted module);
/// no failure, no undelivered outbox message; every checkpoint artifact verifies against its sha256; and no temp file
/// was abandoned in the artifact store.
/// </summary>
public sealed class ExperimentAudit(ResultsDb db, ArtifactStore store)
{
    public async Task<AuditReport> RunAsync(ExperimentRow experiment, CancellationToken ct)
    {
        var plan = experiment.ReadExperiment();
        var runs = await db.Runs.AsNoTracking().Where(r => r.ExperimentId == experiment.Id).ToListAsync(ct);
        var runIds = runs.Select(r => r.Id).ToList();
        var checkpoints = await db.Checkpoints.AsNoTracking().Where(c => runIds.Contains(c.RunId)).ToListAsync(ct);
        var checkpointIds = checkpoints.Select(c => c.Id).ToList();
        var metrics = await db.Metrics.AsNoTracking().Where(m => checkpointIds.Contains(m.CheckpointId))
            .Select(m => new { m.CheckpointId, m.Task, m.Metric }).ToListAsync(ct);
        var samples = await db.Samples.AsNoTracking().Where(s => checkpointIds.Contains(s.CheckpointId))
            .Select(s => new { s.CheckpointId, s.Task, s.DocId }).ToListAsync(ct);
        var ranks = await db.RankAnalyses.AsNoTracking().Where(a => checkpointIds.Contains(a.CheckpointId))
            .Select(a => new { a.CheckpointId, a.Layer, a.Module }).ToListAsync(ct);
        var requests = runs.ToDictionary(r => r.Id, r => r.ReadRequest().Run);

        int expectedRuns = plan.Cells.Count;
        long expectedCheckpoints = (long)expectedRuns * (plan.Milestones.Count + 1);
        var metricKeys = metrics.Select(m => (m.Task, m.Metric)).Distinct().ToList();
        long ExpectedMetrics(CheckpointRow c) => metricKeys.Count(key => !Diversity.MetricNames.Contains(key.Metric)
            || EvaluatorStage.SamplesDiversity(c.MilestoneIndex, requests[c.RunId]));
        long itemsPerCheckpoint = samples.GroupBy(s => (s.CheckpointId, s.Task)).GroupBy(g => g.Key.Task).Sum(task => task.Max(g => g.Count()));
        long expectedRankRows = checkpoints.Where(c => !c.IsBase)
            .Sum(c => (long)Layers(requests[c.RunId].BaseModel) * requests[c.RunId].Spec.TargetModules.Count);
        var failures = await db.Failures.AsNoTracking().Where(f => f.ExperimentId == experiment.Id).Select(f => f.Reason).ToListAsync(ct);
        var undelivered = await db.Outbox.AsNoTracking().CountAsync(o => o.DispatchedAt == null, ct);
        var corrupt = checkpoints.DistinctBy(c => (c.ModelPath, c.AdapterPath)).Where(c => !Verifies(c)).ToList(); // runs share the base
        var abandoned = TempFiles.FindAbandoned(store.Root);

        return new AuditReport(experiment.Name, experiment.Status,
        [
            Count("runs", expectedRuns, runs.Count),
            Count("runs completed", expectedRuns, runs.Count(r => r.Status == RunStatus.Completed)),
            Count("checkpoints", expectedCheckpoints, checkpoints.Count),
            Count("checkpoints evaluated", expectedCheckpoints, checkpoints.Count(c => c.EvaluatedAt != null)),
            Count("checkpoints rank-analysed", expectedCheckpoints, checkpoints.Count(c => c.RankAnalysedAt != null)),
            Count(AuditReport.MetricRows, Math.Max(0, expectedCheckpoints - checkpoints.Count) * metricKeys.Count + checkpoints.Sum(ExpectedMetrics), metrics.Count),
            Count(AuditReport.SampleRows, expectedCheckpoints * itemsPerCheckpoint, samples.Count),
            Count(AuditReport.RankRows, expectedRankRows, ranks.Count),
            Count("duplicate result rows", 0,
                metrics.Count - metrics.Distinct().Count() + samples.Count - samples.Distinct().Count() + ranks.Count - ranks.Distinct().Count()),
            Count("failures recorded", 0, failures.Count, failures.FirstOrDefault()),
            Count("outbox messages undelivered", 0, undelivered),
            Count("checkpoint artifacts that fail verification", 0, corrupt.Count, corrupt.Select(c => c.ModelPath).FirstOrDefault()),
            Count("abandoned temp files", 0, abandoned.Count, abandoned.FirstOrDefault()),
        ]);
    }

    static AuditCheck Count(string name, long expected, long found, string? example = null) =>
        found == expected ? new(name, expected, found)
            : new(name, expected, found, $"expected {expected}, found {found}" + (example is null ? "" : $" (e.g. {example})"));

    bool Verifies(CheckpointRow checkpoint)
    {
        try
        {
            ArtifactRefs.Resolve(store, new ArtifactRef(checkpoint.ModelPath, checkpoint.ModelSha256));
            if (checkpoint.AdapterPath is { } adapter) ArtifactRefs.Resolve(store, new ArtifactRef(adapter, checkpoint.AdapterSha256!));
            return true;
        }
        catch (Exception e) when (e is InvalidDataException or KeyNotFoundException or IOException)
        {
            return false;
        }
    }

    readonly Dictionary<string, int> layers = [];

    int Layers(ModelArtifact baseModel)
    {
        if (layers.TryGetValue(baseModel.Artifact.Path, out var count)) return count;
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(store.PathOf(baseModel.Artifact.Path), "config.json")));
        return layers[baseModel.Artifact.Path] = config.RootElement.GetProperty("num_hidden_layers").GetInt32();
    }
}
