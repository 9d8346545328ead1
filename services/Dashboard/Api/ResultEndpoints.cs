using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Pipeline.Persistence;
using Pipeline.Persistence.Queries;
using Pipeline.Persistence.Rows;

namespace Pipeline.Dashboard.Api;

public sealed record CheckpointItem(Guid Id, Guid RunId, string Run, int MilestoneIndex, long Step, long TokensSeen, DateTime SavedAt,
    DateTime? EvaluatedAt, DateTime? RankAnalysedAt);

public sealed record MetricItem(Guid RunId, string Run, string Method, int? Rank, double LearningRate, Guid CheckpointId, int MilestoneIndex,
    long TokensSeen, string Task, string Domain, string Metric, double Value, double? StdErr);

public sealed record RankAnalysisItem(Guid RunId, string Run, string Method, int? Rank, Guid CheckpointId, int MilestoneIndex, long TokensSeen,
    int Layer, string Module, int Rank90, int RandomRank90, double StableRank, int IntruderCount);

/// <summary>Flat, filterable result tables: /api/checkpoints, /api/metrics, /api/samples and /api/rank-analyses.</summary>
static class ResultEndpoints
{
    public static void MapResultEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("results");
        api.MapGet("/checkpoints", CheckpointsAsync).WithSummary("Checkpoints, filtered by experiment (id or name) and run.");
        api.MapGet("/metrics", MetricsAsync).WithSummary("Metrics, filtered by experiment, run, method, rank, task, domain and metric.");
        api.MapGet("/samples", SamplesAsync)
            .WithSummary("Per-item evaluation records of one experiment in lm-eval's samples_<task>.jsonl shape, filtered by run (cell key), task and tokens.");
        api.MapGet("/rank-analyses", RankAnalysesAsync).WithSummary("Rank analyses of ΔW, filtered by experiment, run, method, rank, layer and module.");
    }

    static async Task<IResult> CheckpointsAsync(string? experiment, Guid? run, ResultsDb db, CancellationToken ct)
    {
        if (await RunsOf(db, experiment, ct) is not { } runs) return ExperimentEndpoints.NotFound(experiment!);
        var query = from c in db.Checkpoints.AsNoTracking()
                    join r in runs on c.RunId equals r.Id
                    where run == null || r.Id == run
                    orderby r.CellKey, c.MilestoneIndex
                    select new CheckpointItem(c.Id, r.Id, r.CellKey, c.MilestoneIndex, c.Step, c.TokensSeen, c.SavedAt, c.EvaluatedAt, c.RankAnalysedAt);
        return Results.Ok(await query.ToListAsync(ct));
    }

    static async Task<IResult> MetricsAsync(string? experiment, Guid? run, string? method, int? rank, string? task, string? domain, string? metric,
        ResultsDb db, CancellationToken ct)
    {
        if (await RunsOf(db, experiment, ct) is not { } runs) return ExperimentEndpoints.NotFound(experiment!);
        var query = from m in db.Metrics.AsNoTracking()
                    join c in db.Checkpoints on m.CheckpointId equals c.Id
                    join r in runs on c.RunId equals r.Id
                    where (run == null || r.Id == run) && (method == null || r.Method == method) && (rank == null || r.Rank == rank)
                          && (task == null || m.Task == task) && (domain == null || m.Domain == domain) && (metric == null || m.Metric == metric)
                    orderby r.CellKey, c.MilestoneIndex, m.Domain, m.Task, m.Metric
                    select new MetricItem(r.Id, r.CellKey, r.Method, r.Rank, r.LearningRate, c.Id, c.MilestoneIndex, c.TokensSeen,
                        m.Task, m.Domain, m.Metric, m.Value, m.StdErr);
        return Results.Ok(await query.ToListAsync(ct));
    }

    static async Task<IResult> SamplesAsync(string experiment, string? run, string? task, long? tokens, ResultsDb db, CancellationToken ct)
    {
        if (await StatusQueries.FindExperimentAsync(db, experiment, ct) is not { } row) return ExperimentEndpoints.NotFound(experiment);
        var samples = await ResultsQueries.SamplesAsync(db, new SampleFilter(row.Name, run, task, tokens), ct);
        return Results.Ok(samples.Select(SamplesExport.Record).ToList());
    }

    static async Task<IResult> RankAnalysesAsync(string? experiment, Guid? run, string? method, int? rank, int? layer, string? module,
        ResultsDb db, CancellationToken ct)
    {
        if (await RunsOf(db, experiment, ct) is not { } runs) return ExperimentEndpoints.NotFound(experiment!);
        var query = from a in db.RankAnalyses.AsNoTracking()
                    join c in db.Checkpoints on a.CheckpointId equals c.Id
                    join r in runs on c.RunId equals r.Id
                    where (run == null || r.Id == run) && (method == null || r.Method == method) && (rank == null || r.Rank == rank)
                          && (layer == null || a.Layer == layer) && (module == null || a.Module == module)
                    orderby r.CellKey, c.MilestoneIndex, a.Layer, a.Module
                    select new RankAnalysisItem(r.Id, r.CellKey, r.Method, r.Rank, c.Id, c.MilestoneIndex, c.TokensSeen,
                        a.Layer, a.Module, a.Rank90, a.RandomRank90, a.StableRank, a.IntruderCount);
        return Results.Ok(await query.ToListAsync(ct));
    }

    /// <summary>The runs the filter may draw from: one experiment's (null when it does not exist), or every run.</summary>
    static async Task<IQueryable<RunRow>?> RunsOf(ResultsDb db, string? experiment, CancellationToken ct)
    {
        if (experiment is null) return db.Runs.AsNoTracking();
        var row = await StatusQueries.FindExperimentAsync(db, experiment, ct);
        return row is null ? null : db.Runs.AsNoTracking().Where(r => r.ExperimentId == row.Id);
    }
}
