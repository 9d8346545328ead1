using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts.Stages;

namespace Pipeline.Persistence.Queries;

public sealed record ResultFilter(string? Experiment = null, string? Method = null, int? Rank = null, string? Metric = null);

public sealed record MetricLine(
    string Experiment, string Run, string Method, int? Rank, double LearningRate, int Seed, int Milestone, long TokensSeen,
    string Task, string Domain, string Metric, double Value, double? StdErr)
{
    public bool IsBase => Milestone == CheckpointArtifact.BaseMilestone;
}

public sealed record RankLine(
    string Experiment, string Run, string Method, int? Rank, int Milestone, long TokensSeen, int Layer, string Module,
    int Rows, int Columns, int Rank90, int RandomRank90, double StableRank, int IntruderCount)
{
    public bool IsBase => Milestone == CheckpointArtifact.BaseMilestone;
}

/// <summary>Which per-item records to read: an experiment's, optionally one run's (cell key), one task's, one checkpoint's (tokens).</summary>
public sealed record SampleFilter(string Experiment, string? Run = null, string? Task = null, long? Tokens = null);

/// <summary>One per-item record with the run and checkpoint it belongs to; the JSON fields as stored.</summary>
public sealed record SampleLine(
    string Run, string Method, int? Rank, int Seed, int Milestone, long TokensSeen, string Task, string Domain, int DocId, string ItemId,
    string? SourceId, string DocJson, string Target, string ResponsesJson, string FilteredResponsesJson, string ValuesJson)
{
    public bool IsBase => Milestone == CheckpointArtifact.BaseMilestone;
}

/// <summary>What `pipeline results` shows: metrics (or rank analyses) per checkpoint, filtered by method, rank and metric.</summary>
public static class ResultsQueries
{
    public static async Task<IReadOnlyList<MetricLine>> MetricsAsync(ResultsDb db, ResultFilter filter, CancellationToken ct)
    {
        var query = from m in db.Metrics.AsNoTracking()
                    join c in db.Checkpoints on m.CheckpointId equals c.Id
                    join r in db.Runs on c.RunId equals r.Id
                    join e in db.Experiments on r.ExperimentId equals e.Id
                    where (filter.Experiment == null || e.Name == filter.Experiment)
                          && (filter.Method == null || r.Method == filter.Method)
                          && (filter.Rank == null || r.Rank == filter.Rank)
                          && (filter.Metric == null || m.Metric == filter.Metric)
                    select new MetricLine(e.Name, r.CellKey, r.Method, r.Rank, r.LearningRate, r.Seed, c.MilestoneIndex, c.TokensSeen,
                        m.Task, m.Domain, m.Metric, m.Value, m.StdErr);
        var lines = await query.ToListAsync(ct);
        return lines.OrderBy(l => l.Experiment).ThenBy(l => l.Run).ThenBy(l => l.Milestone).ThenBy(l => l.Domain).ThenBy(l => l.Task).ThenBy(l => l.Metric).ToList();
    }

    public static async Task<IReadOnlyList<SampleLine>> SamplesAsync(ResultsDb db, SampleFilter filter, CancellationToken ct)
    {
        var query = from s in db.Samples.AsNoTracking()
                    join c in db.Checkpoints on s.CheckpointId equals c.Id
                    join r in db.Runs on c.RunId equals r.Id
                    join e in db.Experiments on r.ExperimentId equals e.Id
                    where e.Name == filter.Experiment
                          && (filter.Run == null || r.CellKey == filter.Run)
                          && (filter.Task == null || s.Task == filter.Task)
                          && (filter.Tokens == null || c.TokensSeen == filter.Tokens)
                    select new SampleLine(r.CellKey, r.Method, r.Rank, r.Seed, c.MilestoneIndex, c.TokensSeen, s.Task, s.Domain, s.DocId,
                        s.ItemId, s.SourceId, s.DocJson, s.Target, s.ResponsesJson, s.FilteredResponsesJson, s.ValuesJson);
        var lines = await query.ToListAsync(ct);
        return lines.OrderBy(l => l.Run).ThenBy(l => l.Milestone).ThenBy(l => l.Task).ThenBy(l => l.DocId).ToList();
    }

    public static async Task<IReadOnlyList<RankLine>> RanksAsync(ResultsDb db, ResultFilter filter, CancellationToken ct)
    {
        var query = from a in db.RankAnalyses.AsNoTracking()
                    join c in db.Checkpoints on a.CheckpointId equals c.Id
                    join r in db.Runs on c.RunId equals r.Id
                    join e in db.Experiments on r.ExperimentId equals e.Id
                    where (filter.Experiment == null || e.Name == filter.Experiment)
                          && (filter.Method == null || r.Method == filter.Method)
                          && (filter.Rank == null || r.Rank == filter.Rank)
                    select new RankLine(e.Name, r.CellKey, r.Method, r.Rank, c.MilestoneIndex, c.TokensSeen, a.Layer, a.Module,
                        a.Rows, a.Columns, a.Rank90, a.RandomRank90, a.StableRank, a.IntruderCount);
        var lines = await query.ToListAsync(ct);
        return lines.OrderBy(l => l.Experiment).ThenBy(l => l.Run).ThenBy(l => l.Milestone).ThenBy(l => l.Layer).ThenBy(l => l.Module).ToList();
    }
}
