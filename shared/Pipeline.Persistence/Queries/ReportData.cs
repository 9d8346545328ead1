using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts.Experiments;
using Pipeline.Contracts.Reports;
using Pipeline.Contracts.Stages;
using Pipeline.Persistence.Rows;

namespace Pipeline.Persistence.Queries;

/// <summary>Reads one experiment's runs, metrics and rank analyses from the results database into a report's input.</summary>
public static class ReportData
{
    public static async Task<ReportInput> LoadAsync(ResultsDb db, string experiment, CancellationToken ct)
    {
        var row = await db.Experiments.AsNoTracking().SingleOrDefaultAsync(e => e.Name == experiment, ct)
            ?? throw new ArgumentException($"no experiment named '{experiment}' in the results database");
        var runs = await db.Runs.AsNoTracking().Where(r => r.ExperimentId == row.Id).ToListAsync(ct);
        var requests = runs.ToDictionary(r => r.CellKey, r => r.ReadRequest().Run);
        var filter = new ResultFilter(experiment);
        var metrics = await ResultsQueries.MetricsAsync(db, filter, ct);
        var ranks = await ResultsQueries.RanksAsync(db, filter, ct);
        var samplesAt = await SamplesAsync(db, experiment, ct);

        var reportRuns = runs.Select(r =>
        {
            var spec = requests[r.CellKey].Spec;
            return new ReportRun(r.CellKey, r.Method, r.Rank, Vocabulary.ModuleSetName(spec.TargetModules), spec.LearningRate, spec.WeightDecay,
                spec.Dropout, spec.Seed, r.Status.ToString().ToLowerInvariant());
        }).ToList();
        var metricsAt = metrics.ToLookup(m => (m.Run, m.Milestone, m.TokensSeen));
        var ranksAt = ranks.ToLookup(r => (r.Run, r.Milestone, r.TokensSeen));
        var checkpoints = metricsAt.Select(g => g.Key).Union(ranksAt.Select(g => g.Key))
            .Select(c => new ReportCheckpoint(c.Run, c.TokensSeen,
                [.. metricsAt[c].Select(m => new ReportMetric(m.Task, m.Domain, m.Metric, m.Value, m.StdErr))],
                [.. ranksAt[c].Select(r => new ReportRank(r.Layer, r.Module, r.Rank90, r.RandomRank90, r.StableRank, r.IntruderCount, null, []))],
                [.. samplesAt[c]]) { IsBase = c.Milestone == CheckpointArtifact.BaseMilestone })
            .ToList();
        // Every run announces the base model as its first checkpoint; the report shows it once, as the base.
        if (checkpoints.FirstOrDefault(c => c.IsBase) is { } baseCheckpoint)
        {
            reportRuns.Add(new ReportRun(BaseRunKey, "base", null, "all", 0, 0, 0, 0, "completed"));
            checkpoints = [.. checkpoints.Where(c => !c.IsBase), baseCheckpoint with { RunKey = BaseRunKey }];
        }
        var first = requests.Values.First();
        int hidden = ranks.Where(r => r.Module == "q_proj").Select(r => r.Columns).DefaultIfEmpty(0).Max();
        return new ReportInput(experiment, first.Regime, reportRuns, checkpoints,
            [.. runs.Where(r => r.Rank is not null).Select(r => r.Rank!.Value).Distinct().Order()], hidden);
    }

    const string BaseRunKey = "base";

    /// <summary>The per-item records of every checkpoint, by (run, milestone, tokens).</summary>
    static async Task<ILookup<(string Run, int Milestone, long Tokens), ReportSample>> SamplesAsync(ResultsDb db, string experiment, CancellationToken ct) =>
        (await ResultsQueries.SamplesAsync(db, new SampleFilter(experiment), ct)).ToLookup(s => (s.Run, s.Milestone, s.TokensSeen),
            s => new ReportSample(s.Task, s.Domain, s.DocId, s.SourceId, StoredJson.ReadValues(s.ValuesJson)));
}
