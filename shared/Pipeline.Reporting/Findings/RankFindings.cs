using Pipeline.Contracts.Reports;
using Pipeline.Reporting.Scoring;

namespace Pipeline.Reporting.Findings;

/// <summary>Finding 6: full finetuning's ΔW is high rank, from the first checkpoint on, growing with tokens, MLP above attention.</summary>
internal static class RankFindings
{
    /// <summary>The paper finds rank@90% of full FT's ΔW 10–100× typical LoRA ranks.</summary>
    private const double PaperLowerRatio = 10;

    private const string MoreLayers = "Rank analysis covers few matrices: analyse every layer, and add checkpoints.";

    public static IEnumerable<Finding> Analyze(StudyData d)
    {
        var analysed = FullCheckpointsWithRanks(d);
        yield return HighRankEarly(d, analysed);
        yield return GrowsWithTokens(analysed);
        yield return MlpAboveAttention(analysed);
        yield return MiddleLayersAboveEnds(analysed);
    }

    /// <summary>The full-FT curve (best plain configuration, else any) whose checkpoints carry rank analyses, in token order.</summary>
    internal static IReadOnlyList<CurvePoint> FullCheckpointsWithRanks(StudyData d)
    {
        var candidates = d.PlainFull(d.BestCurves).Concat(d.BestCurves.Where(c => c.Config.IsFull));
        foreach (var curve in candidates.OrderByDescending(c => c.Final.Target?.Value ?? double.NegativeInfinity))
        {
            var points = curve.Points.Where(p => p.Checkpoints.Any(c => c.Ranks.Count > 0)).ToList();
            if (points.Count > 0) return points;
        }
        return [];
    }

    private static Finding HighRankEarly(StudyData d, IReadOnlyList<CurvePoint> analysed)
    {
        const string claim = "Full FT's ΔW is high rank (10–100× LoRA ranks) already at the earliest checkpoint";
        var ranks = d.Input.LoraRanksOfInterest.Order().ToList();
        if (analysed.Count == 0 || ranks.Count == 0)
            return Finding.Missing("6a", claim, "rank@90% ÷ LoRA rank", "Run the rank analysis on full-FT checkpoints and list the LoRA ranks of interest.");
        var reference = ranks[(ranks.Count - 1) / 2];
        var first = analysed[0];
        var rank90 = Mean(first, r => r.Rank90);
        var random = Mean(first, r => r.RandomRank90);
        return Finding.Judge("6a", claim, $"rank@90% of ΔW at {Units.Tokens(first.Tokens)} tokens ÷ median LoRA rank {reference} (paper: ≥ {PaperLowerRatio})",
            Effect.Once(rank90.Scale(1.0 / reference), Count(first), "matrices", $"over {Count(first)} matrices", seeds: first.Checkpoints.Count),
            $"mean rank@90% {rank90} over {Count(first)} matrices; random Gaussian baseline {random}; d = {d.Input.HiddenSize}; LoRA ranks {string.Join(", ", ranks)}.",
            MoreLayers, PaperLowerRatio);
    }

    /// <summary>Paired over matrices: each (layer, module)'s rank at the last checkpoint minus its rank at the first.</summary>
    private static Finding GrowsWithTokens(IReadOnlyList<CurvePoint> analysed)
    {
        const string claim = "Full FT's ΔW rank grows with training tokens";
        const string effect = "rank@90% at the last − the first analysed checkpoint, mean over matrices";
        if (analysed.Count < 2)
            return Finding.Missing("6b", claim, effect, "Run the rank analysis on at least two full-FT checkpoints.");
        var first = analysed[0].Checkpoints.SelectMany(c => c.Ranks).GroupBy(r => (r.Layer, r.Module)).ToDictionary(g => g.Key, g => g.Average(r => r.Rank90));
        var growth = analysed[^1].Checkpoints.SelectMany(c => c.Ranks).GroupBy(r => (r.Layer, r.Module))
            .Where(g => first.ContainsKey(g.Key)).Select(g => g.Average(r => r.Rank90) - first[g.Key]).ToList();
        if (growth.Count == 0)
            return Finding.Missing("6b", claim, effect, "Analyse the same matrices at the first and the last full-FT checkpoint.");
        return Finding.Judge("6b", claim, effect,
            Effect.Once(Estimate.MeanOfSample(growth), growth.Count, "matrices", $"paired over {growth.Count} matrices", SignCounts.Of(growth), analysed[^1].Checkpoints.Count),
            $"{Units.Tokens(analysed[0].Tokens)} tokens: {Mean(analysed[0], r => r.Rank90)}; {Units.Tokens(analysed[^1].Tokens)} tokens: {Mean(analysed[^1], r => r.Rank90)}; {growth.Count} matrices paired.",
            $"{MoreLayers} Train for more doublings of tokens.");
    }

    private static Finding MlpAboveAttention(IReadOnlyList<CurvePoint> analysed)
    {
        const string claim = "MLP modules' ΔW needs higher rank than attention's";
        const string effect = "mean rank@90% of MLP − attention matrices, last analysed checkpoint";
        if (analysed.Count == 0)
            return Finding.Missing("6c", claim, effect, "Run the rank analysis on full-FT checkpoints.");
        var last = analysed[^1];
        var ranks = last.Checkpoints.SelectMany(c => c.Ranks).ToList();
        var mlp = ranks.Where(r => ModuleNames.IsMlp(r.Module)).Select(r => (double)r.Rank90).ToList();
        var attention = ranks.Where(r => ModuleNames.IsAttention(r.Module)).Select(r => (double)r.Rank90).ToList();
        if (mlp.Count == 0 || attention.Count == 0)
            return Finding.Missing("6c", claim, effect, "Analyse both MLP and attention matrices.");
        var m = Estimate.MeanOfSample(mlp);
        var a = Estimate.MeanOfSample(attention);
        return Finding.Judge("6c", claim, effect, Effect.Once(m - a, mlp.Count + attention.Count, "matrices", $"over {mlp.Count + attention.Count} matrices", seeds: last.Checkpoints.Count), $"MLP {m} ({mlp.Count} matrices); attention {a} ({attention.Count}).", MoreLayers);
    }

    /// <summary>Compared within each module type (MLP matrices outrank attention ones), then averaged over module types.</summary>
    private static Finding MiddleLayersAboveEnds(IReadOnlyList<CurvePoint> analysed)
    {
        const string claim = "Middle layers' ΔW needs higher rank than the first and last layers'";
        const string effect = "rank@90% of middle − first and last layers, per module type, averaged; last analysed checkpoint";
        var ranks = analysed.Count == 0 ? [] : analysed[^1].Checkpoints.SelectMany(c => c.Ranks).ToList();
        var layers = ranks.Select(r => r.Layer).Distinct().Order().ToList();
        if (layers.Count < 3)
            return Finding.Missing("6d", claim, effect, "Run the rank analysis on at least three layers of a full-FT checkpoint.");
        bool IsEnd(ReportRank r) => r.Layer == layers[0] || r.Layer == layers[^1];
        var differences = ranks.GroupBy(r => r.Module)
            .Where(g => g.Any(IsEnd) && g.Any(r => !IsEnd(r)))
            .Select(g => g.Where(r => !IsEnd(r)).Average(r => r.Rank90) - g.Where(IsEnd).Average(r => r.Rank90))
            .ToList();
        if (differences.Count == 0)
            return Finding.Missing("6d", claim, effect, "Analyse the same modules in the end layers and the middle layers.");
        return Finding.Judge("6d", claim, effect,
            Effect.Once(Estimate.MeanOfSample(differences), differences.Count, "module types", $"over {differences.Count} module types", SignCounts.Of(differences), analysed[^1].Checkpoints.Count),
            $"layers {layers[1]}–{layers[^2]} against layers {layers[0]} and {layers[^1]}, over {differences.Count} module types.", MoreLayers);
    }

    private static Estimate Mean(CurvePoint point, Func<ReportRank, int> value) =>
        Estimate.MeanOfSample(point.Checkpoints.SelectMany(c => c.Ranks).Select(r => (double)value(r)).ToList());

    private static int Count(CurvePoint point) => point.Checkpoints.Sum(c => c.Ranks.Count);
}
