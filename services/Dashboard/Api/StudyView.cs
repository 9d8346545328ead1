using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts.Reports;
using Pipeline.Persistence;
using Pipeline.Persistence.Queries;
using Pipeline.Persistence.Rows;
using Pipeline.Reporting;
using Pipeline.Reporting.Findings;
using Pipeline.Reporting.Scoring;

namespace Pipeline.Dashboard.Api;

public sealed record MetricLabel(string Label, string Metric);

/// <summary>Scores oriented so that higher is better; learning and forgetting are relative to the base model.</summary>
public sealed record StudyPoint(long Tokens, double? Target, double? TargetStdErr, double? Source, double? SourceStdErr, double? Learning, double? Forgetting);

public sealed record StudyCurve(string Label, string Method, int? Rank, string Modules, double LearningRate, IReadOnlyList<StudyPoint> Points);

public sealed record FrontPoint(string Label, long Tokens, double Learning, double Forgetting);

public sealed record RankPoint(long Tokens, double Rank90);

public sealed record RankCurve(string Label, string ModuleType, IReadOnlyList<RankPoint> Points);

/// <param name="Estimate">The effect ± its SE; <paramref name="StdErrParts"/> splits the SE into its item and seed parts.</param>
/// <param name="Data">The items and seeds behind it, and whether they were paired.</param>
public sealed record FindingRow(string Id, string Claim, string Verdict, string? Estimate, string? StdErrParts, string? Data, string Note);

public sealed record Study(MetricLabel? Target, MetricLabel? Source, IReadOnlyList<StudyCurve> Curves, IReadOnlyList<FrontPoint> Pareto,
    IReadOnlyList<RankCurve> Ranks, IReadOnlyList<int> LoraRanks, double? RandomRank90, IReadOnlyList<FindingRow> Findings)
{
    public static readonly Study Empty = new(null, null, [], [], [], [], null, []);
}

/// <summary>
/// The report's analysis (Pipeline.Reporting) as JSON for the experiment page: the same metric choice and findings as
/// `pipeline report`. It is computed again only when a checkpoint has been evaluated or rank-analysed since.
/// </summary>
static class StudyView
{
    static readonly ConcurrentDictionary<Guid, (string Version, Study Study)> Cache = new();

    public static async Task<Study> LoadAsync(ResultsDb db, ExperimentRow experiment, CancellationToken ct)
    {
        var version = await VersionAsync(db, experiment.Id, ct);
        if (Cache.TryGetValue(experiment.Id, out var cached) && cached.Version == version) return cached.Study;
        var study = await ComputeAsync(db, experiment, ct);
        Cache[experiment.Id] = (version, study);
        return study;
    }

    /// <summary>What the study depends on: the runs, and how many of their checkpoints are evaluated and rank-analysed.</summary>
    static async Task<string> VersionAsync(ResultsDb db, Guid experimentId, CancellationToken ct)
    {
        var checkpoints = from c in db.Checkpoints join r in db.Runs on c.RunId equals r.Id where r.ExperimentId == experimentId select c;
        int runs = await db.Runs.CountAsync(r => r.ExperimentId == experimentId, ct);
        int evaluated = await checkpoints.CountAsync(c => c.EvaluatedAt != null, ct);
        int analysed = await checkpoints.CountAsync(c => c.RankAnalysedAt != null, ct);
        return $"{runs}/{evaluated}/{analysed}";
    }

    static async Task<Study> ComputeAsync(ResultsDb db, ExperimentRow experiment, CancellationToken ct)
    {
        if (!await db.Runs.AnyAsync(r => r.ExperimentId == experiment.Id, ct)) return Study.Empty;
        var input = await ReportData.LoadAsync(db, experiment.Name, ct);
        var data = new StudyData(input);
        var curves = data.Curves.Select(c => new StudyCurve(c.Label, c.Config.Method, c.Config.Rank, c.Config.Modules, c.LearningRate,
            [.. WithBase(data, c.Points).Select(p => Point(data, p))])).ToList();
        var ranks = input.Checkpoints.SelectMany(c => c.Ranks).ToList();
        return new Study(
            data.Target is { } t ? new MetricLabel(t.Label, t.Metric) : null,
            data.Source is { } s ? new MetricLabel(s.Label, s.Metric) : null,
            curves, Front(curves), RankCurves(data), input.LoraRanksOfInterest,
            ranks.Count > 0 ? ranks.Average(r => r.RandomRank90) : null,
            [.. StudyFindings.Analyze(data).Select(Row)]);
    }

    /// <summary>Every curve starts at the base model (0 tokens), as in the report's figures.</summary>
    static IEnumerable<CurvePoint> WithBase(StudyData data, IReadOnlyList<CurvePoint> points) =>
        data.Base is { } b && !points.Any(p => p.IsBase) ? points.Prepend(new CurvePoint(0, data.BaseTarget, data.BaseSource, [b])) : points;

    static StudyPoint Point(StudyData data, CurvePoint p) => new(p.Tokens, p.Target?.Value, p.Target?.StdErr, p.Source?.Value, p.Source?.StdErr,
        p.Target is { } target && data.BaseTarget is { } bt ? target.Value - bt.Value : null,
        p.Source is { } source && data.BaseSource is { } bs ? bs.Value - source.Value : null);

    /// <summary>The checkpoints no other beats on both learning (higher) and forgetting (lower).</summary>
    static IReadOnlyList<FrontPoint> Front(IEnumerable<StudyCurve> curves)
    {
        var points = curves.SelectMany(c => c.Points.Where(p => p is { Learning: not null, Forgetting: not null })
            .Select(p => new FrontPoint(c.Label, p.Tokens, p.Learning!.Value, p.Forgetting!.Value)));
        return Pareto.Front(points, p => p.Learning, p => -p.Forgetting);
    }

    /// <summary>Mean rank@90% of ΔW over the layers, per curve and module type, at each analysed checkpoint.</summary>
    static IReadOnlyList<RankCurve> RankCurves(StudyData data) =>
    [
        .. from curve in data.Curves
           from type in new[] { "attention", "mlp" }
           let points = curve.Points
               .Select(p => (p.Tokens, p.IsBase, Ranks: p.Checkpoints.SelectMany(c => c.Ranks).Where(r => IsOfType(r.Module, type)).ToList()))
               .Where(p => !p.IsBase && p.Ranks.Count > 0)
               .Select(p => new RankPoint(p.Tokens, p.Ranks.Average(r => r.Rank90))).ToList()
           where points.Count > 0
           select new RankCurve($"{curve.Label} {type}", type, points),
    ];

    static bool IsOfType(string module, string type) => type == "mlp" ? ModuleNames.IsMlp(module) : ModuleNames.IsAttention(module);

    static FindingRow Row(Finding f) => new(f.Id, f.Claim, f.Verdict switch
    {
        Verdict.Holds => "holds",
        Verdict.DoesNotHold => "does not hold",
        _ => "not supported",
    }, f.Size?.ToString(), f.Size?.PartsText, f.Size?.DesignText, f.Diagnosis ?? f.Evidence);
}
