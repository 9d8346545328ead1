using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Pipeline.Persistence;
using Pipeline.Persistence.Rows;

namespace Pipeline.Dashboard.Api;

public sealed record CurvePointRow(long Step, long TokensSeen, double Loss, double LearningRate, double TokensPerSecond);

public sealed record MetricValueRow(string Task, string Domain, string Metric, double Value, double? StdErr);

public sealed record RankRow(int Layer, string Module, int Rows, int Columns, int Rank90, int RandomRank90, double StableRank, int IntruderCount);

public sealed record CheckpointDetail(Guid Id, int MilestoneIndex, long Step, long TokensSeen, DateTime SavedAt, DateTime? EvaluatedAt,
    DateTime? RankAnalysedAt, IReadOnlyList<MetricValueRow> Metrics, IReadOnlyList<RankRow> Ranks);

public sealed record FailureRowView(string Stage, string Reason, DateTime OccurredAt);

public sealed record RunDetail(RunSummary Run, JsonElement Config, IReadOnlyList<CurvePointRow> Curve, IReadOnlyList<CheckpointDetail> Checkpoints,
    IReadOnlyList<FailureRowView> Failures);

public sealed record Spectrum(IReadOnlyList<double> Values);

/// <summary>/api/runs/{id}: one run's configuration, loss curve, checkpoints with metrics and rank analyses, failures; and a ΔW spectrum.</summary>
static class RunEndpoints
{
    public static void MapRunEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/runs").WithTags("runs");
        api.MapGet("/{id:guid}", GetAsync).WithSummary("A run: configuration, training curve, checkpoints with metrics and rank analyses, failures.");
        api.MapGet("/{id:guid}/spectrum", SpectrumAsync).WithSummary("The singular values of ΔW for one checkpoint, layer and module.");
    }

    static async Task<IResult> GetAsync(Guid id, ResultsDb db, CancellationToken ct)
    {
        if (await db.Runs.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, ct) is not { } run) return NotFound(id);
        var summary = (await RunSummaries.ForExperimentAsync(db, run.ExperimentId, ct)).Single(r => r.Id == id);
        var curve = await db.TrainingCurves.AsNoTracking().Where(p => p.RunId == id).OrderBy(p => p.Step)
            .Select(p => new CurvePointRow(p.Step, p.TokensSeen, p.Loss, p.LearningRate, p.TokensPerSecond)).ToListAsync(ct);
        var checkpoints = await db.Checkpoints.AsNoTracking().Where(c => c.RunId == id).OrderBy(c => c.MilestoneIndex).ToListAsync(ct);
        var ids = checkpoints.Select(c => c.Id).ToList();
        var metrics = (await db.Metrics.AsNoTracking().Where(m => ids.Contains(m.CheckpointId)).ToListAsync(ct)).ToLookup(m => m.CheckpointId);
        var ranks = (await db.RankAnalyses.AsNoTracking().Where(a => ids.Contains(a.CheckpointId))
            .Select(a => new { a.CheckpointId, Row = new RankRow(a.Layer, a.Module, a.Rows, a.Columns, a.Rank90, a.RandomRank90, a.StableRank, a.IntruderCount) })
            .ToListAsync(ct)).ToLookup(a => a.CheckpointId, a => a.Row);
        var failures = await db.Failures.AsNoTracking().Where(f => f.RunId == id).OrderBy(f => f.OccurredAt)
            .Select(f => new FailureRowView(f.Stage, f.Reason, f.OccurredAt)).ToListAsync(ct);
        var config = JsonSerializer.SerializeToElement(run.ReadRequest().Run.Spec, StoredJson.Options);
        return Results.Ok(new RunDetail(summary, config, curve,
            [.. checkpoints.Select(c => new CheckpointDetail(c.Id, c.MilestoneIndex, c.Step, c.TokensSeen, c.SavedAt, c.EvaluatedAt, c.RankAnalysedAt,
                [.. metrics[c.Id].OrderBy(m => m.Domain).ThenBy(m => m.Task).ThenBy(m => m.Metric).Select(m => new MetricValueRow(m.Task, m.Domain, m.Metric, m.Value, m.StdErr))],
                [.. ranks[c.Id].OrderBy(r => r.Layer).ThenBy(r => r.Module)]))],
            failures));
    }

    static async Task<IResult> SpectrumAsync(Guid id, Guid checkpoint, int layer, string module, ResultsDb db, CancellationToken ct)
    {
        var json = await (from a in db.RankAnalyses.AsNoTracking()
                          join c in db.Checkpoints on a.CheckpointId equals c.Id
                          where c.RunId == id && a.CheckpointId == checkpoint && a.Layer == layer && a.Module == module
                          select a.SpectrumJson).SingleOrDefaultAsync(ct);
        return json is null
            ? Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"No rank analysis of layer {layer} {module} at checkpoint {checkpoint} of run {id}")
            : Results.Ok(new Spectrum(JsonSerializer.Deserialize<double[]>(json)!));
    }

    static IResult NotFound(Guid id) => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"No run {id}");
}
