using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts.Experiments;
using Pipeline.Persistence;
using Pipeline.Persistence.Queries;
using Pipeline.Persistence.Rows;
using Pipeline.Workflow.Orchestration;

namespace Pipeline.Dashboard.Api;

public sealed record ExperimentListItem(Guid Id, string Name, ExperimentStatus Status, int Runs, int RunsCompleted, int RunsFailed,
    double Progress, DateTime SubmittedAt, DateTime? CompletedAt, double WallSeconds);

public sealed record ExperimentDetail(Guid Id, string Name, ExperimentStatus Status, DateTime SubmittedAt, DateTime? CompletedAt,
    double WallSeconds, double Progress, IReadOnlyList<RunSummary> Runs);

public sealed record LossCurve(Guid RunId, string Label, IReadOnlyList<double[]> Points);

public sealed record LossCurves(IReadOnlyList<LossCurve> Runs);

public sealed record Submitted(Guid Id, string Name, int RunCount, bool AlreadySubmitted);

/// <summary>/api/experiments: the list, one experiment with its runs, live loss curves, the study view, CSV, and submission.</summary>
static class ExperimentEndpoints
{
    const int MaxCurvePoints = 300;

    public static void MapExperimentEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/experiments").WithTags("experiments");
        api.MapGet("/", ListAsync).WithSummary("Every experiment, newest first, with its progress.");
        api.MapGet("/{experiment}", GetAsync).WithSummary("One experiment (by id or name) and its runs.");
        api.MapGet("/{experiment}/runs", RunsAsync).WithSummary("The experiment's runs, filtered by method, rank and status.");
        api.MapGet("/{experiment}/curves", CurvesAsync).WithSummary($"Training-loss curves of every run (at most {MaxCurvePoints} points each).");
        api.MapGet("/{experiment}/study", StudyAsync).WithSummary("Learning and forgetting curves, the Pareto front, ΔW rank and the findings.");
        api.MapGet("/{experiment}/metrics.csv", CsvAsync).WithSummary("Every metric of every checkpoint, as CSV.");
        api.MapPost("/", SubmitAsync).AddEndpointFilter(Access.RequireToken)
            .Accepts<ExperimentRequest>("application/json")
            .Produces<Submitted>(StatusCodes.Status201Created).ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .WithSummary("Submit an experiment request (the JSON and validation of `pipeline submit`); needs the bearer token.");
    }

    static async Task<IReadOnlyList<ExperimentListItem>> ListAsync(ResultsDb db, CancellationToken ct)
    {
        var items = new List<ExperimentListItem>();
        foreach (var e in await StatusQueries.ExperimentsAsync(db, ct))
        {
            var runs = await StatusQueries.RunsAsync(db, e.Id, ct);
            items.Add(new ExperimentListItem(e.Id, e.Name, e.Status, e.Runs, e.RunsCompleted, e.RunsFailed, Progress(runs.Select(r => (r.CheckpointsDone, r.CheckpointCount))),
                e.SubmittedAt, e.CompletedAt, Wall(e.SubmittedAt, e.CompletedAt)));
        }
        return items;
    }

    static async Task<IResult> GetAsync(string experiment, ResultsDb db, CancellationToken ct)
    {
        if (await StatusQueries.FindExperimentAsync(db, experiment, ct) is not { } e) return NotFound(experiment);
        var runs = await RunSummaries.ForExperimentAsync(db, e.Id, ct);
        var progress = Progress(runs.Select(r => (r.CheckpointsDone, r.Checkpoints)));
        return Results.Ok(new ExperimentDetail(e.Id, e.Name, e.Status, e.SubmittedAt, e.CompletedAt, Wall(e.SubmittedAt, e.CompletedAt), progress, runs));
    }

    static async Task<IResult> RunsAsync(string experiment, string? method, int? rank, RunStatus? status, ResultsDb db, CancellationToken ct)
    {
        if (await StatusQueries.FindExperimentAsync(db, experiment, ct) is not { } e) return NotFound(experiment);
        var runs = await RunSummaries.ForExperimentAsync(db, e.Id, ct);
        return Results.Ok(runs.Where(r => (method is null || r.Method == method) && (rank is null || r.Rank == rank) && (status is null || r.Status == status)));
    }

    static async Task<IResult> CurvesAsync(string experiment, ResultsDb db, CancellationToken ct)
    {
        if (await StatusQueries.FindExperimentAsync(db, experiment, ct) is not { } e) return NotFound(experiment);
        var runs = await RunSummaries.ForExperimentAsync(db, e.Id, ct);
        var ids = runs.Select(r => r.Id).ToList();
        var points = await db.TrainingCurves.AsNoTracking().Where(p => ids.Contains(p.RunId))
            .Select(p => new { p.RunId, p.Step, p.TokensSeen, p.Loss }).ToListAsync(ct);
        var byRun = points.GroupBy(p => p.RunId).ToDictionary(g => g.Key, g => g.OrderBy(p => p.Step).Select(p => new[] { (double)p.TokensSeen, p.Loss }).ToList());
        return Results.Ok(new LossCurves([.. runs.Select(r => new LossCurve(r.Id, r.Label, Thin(byRun.GetValueOrDefault(r.Id) ?? [], MaxCurvePoints)))]));
    }

    static async Task<IResult> StudyAsync(string experiment, ResultsDb db, CancellationToken ct)
    {
        if (await StatusQueries.FindExperimentAsync(db, experiment, ct) is not { } e) return NotFound(experiment);
        return Results.Ok(await StudyView.LoadAsync(db, e, ct));
    }

    static async Task<IResult> CsvAsync(string experiment, ResultsDb db, CancellationToken ct)
    {
        if (await StatusQueries.FindExperimentAsync(db, experiment, ct) is not { } e) return NotFound(experiment);
        var csv = new StringBuilder("run,method,rank,learning_rate,seed,milestone,tokens_seen,task,domain,metric,value,stderr\n");
        foreach (var m in await ResultsQueries.MetricsAsync(db, new ResultFilter(e.Name), ct))
            csv.AppendLine(string.Join(',', Cell(m.Run), m.Method, m.Rank?.ToString(CultureInfo.InvariantCulture) ?? "", Number(m.LearningRate),
                m.Seed.ToString(CultureInfo.InvariantCulture), m.Milestone.ToString(CultureInfo.InvariantCulture), m.TokensSeen.ToString(CultureInfo.InvariantCulture),
                Cell(m.Task), m.Domain, Cell(m.Metric), Number(m.Value), m.StdErr is { } se ? Number(se) : ""));
        return Results.File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv", $"{e.Name}-metrics.csv");
    }

    static async Task<IResult> SubmitAsync(HttpRequest request, ExperimentSubmitter submitter, CancellationToken ct)
    {
        using var reader = new StreamReader(request.Body);
        var json = await reader.ReadToEndAsync(ct);
        try
        {
            var submitted = await submitter.SubmitAsync(ExperimentRequestFile.Parse(json, "request body"), "request body", ct);
            var body = new Submitted(submitted.ExperimentId, submitted.Name, submitted.RunCount, submitted.AlreadySubmitted);
            return Results.Created($"/api/experiments/{submitted.ExperimentId}", body);
        }
        catch (ExperimentRequestException e)
        {
            return Results.ValidationProblem(e.Errors.GroupBy(x => x.Path).ToDictionary(g => g.Key, g => g.Select(x => x.Message).ToArray()),
                title: "The experiment request is invalid; nothing was submitted.");
        }
    }

    public static IResult NotFound(string what) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"No experiment named or numbered '{what}'");

    /// <summary>Fraction of the expected checkpoints (base and milestones of every run) evaluated and rank-analysed.</summary>
    static double Progress(IEnumerable<(int Done, int Expected)> runs)
    {
        var (done, expected) = runs.Aggregate((0, 0), (sum, r) => (sum.Item1 + r.Done, sum.Item2 + r.Expected));
        return expected > 0 ? (double)done / expected : 0;
    }

    static double Wall(DateTime submitted, DateTime? completed) => ((completed ?? DateTime.UtcNow) - submitted).TotalSeconds;

    /// <summary>Every k-th point and the last, so a long curve keeps its shape and its latest value.</summary>
    static List<double[]> Thin(List<double[]> points, int max)
    {
        if (points.Count <= max) return points;
        int stride = (int)Math.Ceiling(points.Count / (double)max);
        return [.. points.Where((_, i) => i % stride == 0 || i == points.Count - 1)];
    }

    static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    static string Cell(string text) => text.IndexOfAny([',', '"', '\n']) < 0 ? text : $"\"{text.Replace("\"", "\"\"")}\"";
}
