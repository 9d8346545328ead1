using Pipeline.Reporting.Scoring;

namespace Pipeline.Reporting.Findings;

/// <summary>
/// Tests each finding of "LoRA Learns Less and Forgets Less" on one study. "LoRA" is plain LoRA (method "lora");
/// "full FT" is full finetuning without extra weight decay or dropout. Each configuration is taken at its best learning
/// rate and its last checkpoint, seeds averaged.
/// </summary>
public static class StudyFindings
{
    private const string MoreEval = "Evaluate on more examples, or run more seeds.";

    /// <param name="otherRegime">A study of the same target in the other regime (CPT for an IFT study or the reverse), for finding 7c.</param>
    public static IReadOnlyList<Finding> Analyze(StudyData data, StudyData? otherRegime = null) =>
    [
        LearnsLess(data), ForgetsLess(data), ForgettingGrows(data), SameParetoCurve(data), RegularizesMore(data), KeepsDiversity(data),
        .. RankFindings.Analyze(data),
        AllModulesBest(data), LearningRateSensitive(data), IftOverCpt(data, otherRegime), Intruders(data),
    ];

    internal static Curve? BestLora(StudyData d) => Best(d.BestCurves.Where(c => c.Config.IsLora));

    internal static Curve? BestFull(StudyData d) => Best(d.PlainFull(d.BestCurves));

    private static Curve? Best(IEnumerable<Curve> curves) =>
        curves.Where(c => c.Final.Target is not null).OrderByDescending(c => c.Final.Target!.Value.Value).FirstOrDefault();

    private static Finding LearnsLess(StudyData d)
    {
        const string claim = "LoRA learns less than full finetuning";
        const string effect = "full FT − best LoRA, target score at the last checkpoint";
        if (BestLora(d) is not { } lora || BestFull(d) is not { } full)
            return Finding.Missing("1", claim, effect, "Add full-finetuning and LoRA runs with target-domain evaluations.");
        return Finding.Judge("1", claim, effect, TargetGap(full, lora),
            $"{Describe(full, p => p.Target)} vs {Describe(lora, p => p.Target)}{BaseNote(d.BaseTarget)}; LoRA by rank: {ByRank(d, p => p.Target)}.",
            $"{MoreEval} The gap opens with training tokens (most in CPT): train longer.");
    }

    private static Finding ForgetsLess(StudyData d)
    {
        const string claim = "LoRA forgets less than full finetuning";
        const string effect = "best LoRA − full FT, source score at the last checkpoint";
        var lora = BestLora(d);
        var full = BestFull(d);
        if (lora?.Final.Source is not { } loraSource || full?.Final.Source is not { } fullSource)
            return Finding.Missing("2", claim, effect, "Add full-finetuning and LoRA runs with source-domain evaluations.");
        return Finding.Judge("2", claim, effect, loraSource - fullSource,
            $"{Describe(full, p => p.Source)} vs {Describe(lora, p => p.Source)}{BaseNote(d.BaseSource)}; LoRA by rank (best-learning configuration): {ByRank(d, p => p.Source)}.",
            $"{MoreEval} Forgetting grows with tokens: train longer so that full FT drifts measurably from the base.");
    }

    private static Finding ForgettingGrows(StudyData d)
    {
        const string claim = "Forgetting grows with training tokens";
        const string effect = "full FT source score at the first − the last checkpoint";
        var points = BestFull(d)?.Points.Where(p => p.Tokens > 0 && p.Source is not null).ToList();
        if (points is not { Count: >= 2 })
            return Finding.Missing("2b", claim, effect, "Evaluate the source domain on at least two full-FT checkpoints.");
        return Finding.Judge("2b", claim, effect, points[0].Source!.Value - points[^1].Source!.Value,
            $"{Units.Tokens(points[0].Tokens)} tokens: {points[0].Source}; {Units.Tokens(points[^1].Tokens)} tokens: {points[^1].Source}.",
            $"{MoreEval} Train for more doublings of tokens.");
    }

    /// <summary>
    /// Each method's trade-off is summarised by its forgetting per unit of learning: the slope of (base source − source)
    /// against (target − base target) over its checkpoints, a line through the base model. One shared curve means equal
    /// slopes, judged against an equivalence margin of a quarter of full FT's slope.
    /// </summary>
    private static Finding SameParetoCurve(StudyData d)
    {
        const string claim = "LoRA and full FT lie on the same learning–forgetting curve";
        const string effect = "LoRA − full FT forgetting per unit of learning (source drop ÷ target gain)";
        var lora = Points(d.BestCurves.Where(c => c.Config.IsLora));
        var full = Points(d.PlainFull(d.BestCurves));
        if (d is not { BaseTarget: { } baseTarget, BaseSource: { } baseSource } || lora.Count < 2 || full.Count < 2)
            return Finding.Missing("3", claim, effect, "Need the base model's scores and at least two checkpoints with target and source scores for LoRA and for full FT.");
        if (ForgettingPerLearning(lora, baseTarget, baseSource) is not { } loraSlope || ForgettingPerLearning(full, baseTarget, baseSource) is not { } fullSlope)
            return Finding.Missing("3", claim, effect, "The runs did not move the target score away from the base model: train longer or at a higher learning rate.");
        var margin = Math.Max(0.25 * Math.Abs(fullSlope.Value), 1e-9);
        return Finding.JudgeEquivalence("3", claim, effect, loraSlope - fullSlope, margin,
            $"LoRA {loraSlope} over {lora.Count} checkpoints; full FT {fullSlope} over {full.Count}; equivalence margin ±{Estimate.Format(margin)}.",
            $"{MoreEval} Add checkpoints (doubling tokens) and LoRA ranks that learn as much as full FT, so both slopes are measured over a wide range.");
    }

    /// <summary>
    /// Least-squares slope through the base point; its SE propagates the source scores' errors, floored by the residual
    /// scatter (the target scores' own errors are ignored).
    /// </summary>
    private static Estimate? ForgettingPerLearning(List<(Estimate Target, Estimate Source)> points, Estimate baseTarget, Estimate baseSource)
    {
        var x = points.Select(p => p.Target.Value - baseTarget.Value).ToList();
        var y = points.Select(p => baseSource.Value - p.Source.Value).ToList();
        var sxx = x.Sum(v => v * v);
        if (sxx < 1e-12) return null;
        var slope = x.Zip(y).Sum(p => p.First * p.Second) / sxx;
        var residual = Math.Sqrt(x.Zip(y).Sum(p => Math.Pow(p.Second - slope * p.First, 2)) / (points.Count - 1) / sxx);
        double? propagated = points.All(p => p.Source.StdErr is not null)
            ? Math.Sqrt(x.Zip(points).Sum(p => p.First * p.First * p.Second.Source.StdErr!.Value * p.Second.Source.StdErr!.Value)) / sxx
            : null;
        return new Estimate(slope, propagated is { } se ? Math.Max(se, residual) : null);
    }

    /// <summary>At the learning level of the best LoRA, compare its forgetting with each regularized full-FT baseline's nearest checkpoint.</summary>
    private static Finding RegularizesMore(StudyData d)
    {
        const string claim = "LoRA forgets less than full FT with weight decay or dropout at matched learning";
        const string effect = "LoRA − regularized full FT source score at matched target score (the weaker baseline)";
        var full = d.BestCurves.Where(c => c.Config.IsFull).ToList();
        var plain = d.PlainFull(full).ToHashSet();
        var regularized = full.Where(c => !plain.Contains(c)).ToList();
        if (BestLora(d) is not { Final: { Target: { } level, Source: { } loraSource } } lora || regularized.Count == 0)
            return Finding.Missing("4", claim, effect, "Add full-finetuning runs with weight decay and with dropout, and LoRA runs, all with source and target evaluations.");
        var comparisons = new List<(Estimate Size, string Text)>();
        foreach (var baseline in regularized)
        {
            var match = baseline.Points.Where(p => p.Target is not null && p.Source is not null)
                .MinBy(p => Math.Abs(p.Target!.Value.Value - level.Value));
            if (match is null) continue;
            var gap = match.Target!.Value - level;
            var matched = gap.StdErr is { } se && Math.Abs(gap.Value) <= 2 * se ? "matched" : $"learning gap {gap}";
            comparisons.Add((loraSource - match.Source!.Value,
                $"{baseline.Label}: source {match.Source} at {Units.Tokens(match.Tokens)} tokens ({matched})"));
        }
        if (comparisons.Count == 0)
            return Finding.Missing("4", claim, effect, "The regularized full-FT runs have no checkpoint with both source and target scores.");
        var weakest = comparisons.MinBy(c => c.Size.Value);
        return Finding.Judge("4", claim, effect, weakest.Size,
            $"{lora.Label}: target {level}, source {loraSource}; " + string.Join("; ", comparisons.Select(c => c.Text)) + ".",
            $"{MoreEval} Add regularized full-FT checkpoints near LoRA's learning level so the match is exact.");
    }

    private static Finding KeepsDiversity(StudyData d)
    {
        const string claim = "LoRA keeps generations more diverse than full FT";
        const string effect = "best LoRA − full FT generation diversity at the last checkpoint";
        var metric = MetricChoice.Choose(d.Input.Checkpoints, "target", MetricChoice.DiversityPreference);
        var lora = BestLora(d);
        var full = BestFull(d);
        if (metric is null || lora is null || full is null || metric.ScoreOfRepeats(lora.Final.Checkpoints) is not { } l || metric.ScoreOfRepeats(full.Final.Checkpoints) is not { } f)
            return Finding.Missing("5", claim, effect, "Add a target generation task whose evaluation reports distinct_2 (or distinct_1, fraction_unique).");
        return Finding.Judge("5", claim, $"{effect} ({metric.Label})", l - f, $"{lora.Label}: {l}; {full.Label}: {f}.",
            "Generate more samples (more prompts or more samples per prompt).");
    }

    private static Finding AllModulesBest(StudyData d)
    {
        const string claim = "Best practice: target all modules (module choice matters more than rank)";
        const string effect = "best LoRA on all modules − best LoRA on attention only, target score";
        var lora = d.BestCurves.Where(c => c.Config.IsLora && c.Final.Target is not null).ToList();
        Curve? BestOn(string modules) => Best(lora.Where(c => c.Config.Modules == modules));
        if (BestOn("all") is not { } all || BestOn("attention") is not { } attention)
            return Finding.Missing("7a", claim, effect, "Add LoRA runs targeting all modules and attention only.");
        var evidence = $"all: {all.Final.Target} ({all.Label}); attention: {attention.Final.Target} ({attention.Label})";
        if (BestOn("mlp") is { } mlp) evidence += $"; mlp: {mlp.Final.Target} ({mlp.Label})";
        var onAll = lora.Where(c => c.Config.Modules == "all" && c.Config.Rank is not null).OrderBy(c => c.Config.Rank).ToList();
        if (onAll.Count >= 2 && onAll[^1].Config.Rank != onAll[0].Config.Rank)
            evidence += $"; rank {onAll[^1].Config.Rank} − rank {onAll[0].Config.Rank} on all: {onAll[^1].Final.Target!.Value - onAll[0].Final.Target!.Value}";
        return Finding.Judge("7a", claim, effect, all.Final.Target!.Value - attention.Final.Target!.Value, evidence + ".", MoreEval);
    }

    /// <summary>The LoRA configuration with the widest learning-rate sweep; its best minus its worst final target score.</summary>
    private static Finding LearningRateSensitive(StudyData d)
    {
        const string claim = "Best practice: sweep the learning rate, LoRA is sensitive to it";
        const string effect = "best − worst final target score across LoRA's learning-rate sweep";
        var sweep = d.Curves.Where(c => c.Config.IsLora && c.Final.Target is not null).GroupBy(c => c.Config)
            .Select(g => g.ToList()).Where(g => g.Count >= 2)
            .OrderByDescending(g => g.Count).ThenByDescending(g => g.Max(c => c.Final.Target!.Value.Value)).FirstOrDefault();
        if (sweep is null)
            return Finding.Missing("7b", claim, effect, "Sweep at least two learning rates for one LoRA configuration.");
        var best = sweep.MaxBy(c => c.Final.Target!.Value.Value)!;
        var worst = sweep.MinBy(c => c.Final.Target!.Value.Value)!;
        return Finding.Judge("7b", claim, effect, best.Final.Target!.Value - worst.Final.Target!.Value,
            $"{sweep[0].Config.Label}: " + string.Join(", ", sweep.OrderBy(c => c.LearningRate).Select(c => $"lr={Units.Rate(c.LearningRate)} → {c.Final.Target}")) + ".",
            $"{MoreEval} Widen the sweep (LoRA's best rate is about 10× full FT's).");
    }

    /// <summary>The paper: LoRA's gap to full FT (finding 1) is wider in CPT than in IFT.</summary>
    private static Finding IftOverCpt(StudyData d, StudyData? other)
    {
        const string claim = "Best practice: use LoRA for IFT rather than CPT";
        const string effect = "finding 1's gap in CPT − in IFT";
        var studies = new[] { d, other }.OfType<StudyData>().ToList();
        var cpt = studies.FirstOrDefault(s => IsRegime(s, "cpt"));
        var ift = studies.FirstOrDefault(s => IsRegime(s, "ift"));
        if (cpt is null || ift is null)
            return Finding.Missing("7c", claim, effect,
                $"One study has one regime ({d.Input.Regime}): report it against a study of the other regime (`pipeline report {d.Input.ExperimentName} --versus OTHER`).");
        if (cpt.Target?.Metric != ift.Target?.Metric)
            return Finding.Missing("7c", claim, effect,
                $"The two studies score learning differently ({cpt.Target?.Label ?? "none"} in CPT, {ift.Target?.Label ?? "none"} in IFT): give them the same target tasks.");
        if (Gap(cpt) is not { } cptGap || Gap(ift) is not { } iftGap)
            return Finding.Missing("7c", claim, effect, "Both studies need full-finetuning and LoRA runs with target-domain evaluations.");
        return Finding.Judge("7c", claim, effect, cptGap - iftGap,
            $"{cpt.Input.ExperimentName} (CPT): full FT − LoRA = {cptGap}; {ift.Input.ExperimentName} (IFT): {iftGap}; learning scored by {cpt.Target!.Label} in both.",
            $"{MoreEval} Train both regimes longer: the CPT gap opens with tokens.");
    }

    private static bool IsRegime(StudyData d, string regime) => string.Equals(d.Input.Regime, regime, StringComparison.OrdinalIgnoreCase);

    /// <summary>Finding 1's effect: full FT's final target score minus the best LoRA's.</summary>
    private static Estimate TargetGap(Curve full, Curve lora) => full.Final.Target!.Value - lora.Final.Target!.Value;

    private static Estimate? Gap(StudyData d) => BestLora(d) is { } lora && BestFull(d) is { } full ? TargetGap(full, lora) : null;

    /// <summary>Shuttleworth et al. (2024): LoRA's finetuned weights gain intruder dimensions, full FT's do not.</summary>
    private static Finding Intruders(StudyData d)
    {
        const string claim = "LoRA creates intruder dimensions, full FT does not (Shuttleworth et al.)";
        const string effect = "LoRA − full FT intruder dimensions per matrix (ε = 0.5), last checkpoint";
        Estimate? PerMatrix(Curve? c) => c?.Final.Checkpoints.SelectMany(k => k.Ranks).Where(r => r.Intruders05 is not null).Select(r => (double)r.Intruders05!.Value).ToList() is { Count: > 0 } v
            ? Estimate.MeanOfSample(v) : null;
        var lora = BestLora(d);
        var full = BestFull(d);
        if (PerMatrix(lora) is not { } l || PerMatrix(full) is not { } f)
            return Finding.Missing("R1", claim, effect, "Run the rank analysis on the last LoRA and full-FT checkpoints.");
        return Finding.Judge("R1", claim, effect, l - f, $"{lora!.Label}: {l}; {full!.Label}: {f}.",
            "Analyse more layers, or more checkpoints and seeds.");
    }

    private static List<(Estimate Target, Estimate Source)> Points(IEnumerable<Curve> curves) =>
        curves.SelectMany(c => c.Points).Where(p => p is { Target: not null, Source: not null })
            .Select(p => (p.Target!.Value, p.Source!.Value)).ToList();

    private static string Describe(Curve c, Func<CurvePoint, Estimate?> score) =>
        $"{c.Label}: {score(c.Final)} at {Units.Tokens(c.Final.Tokens)} tokens" + (c.Seeds > 1 ? $" ({c.Seeds} seeds)" : "");

    /// <summary>Per LoRA rank, the score of the configuration that learns most at that rank.</summary>
    private static string ByRank(StudyData d, Func<CurvePoint, Estimate?> score) => string.Join(", ",
        d.BestCurves.Where(c => c.Config.IsLora && c.Final.Target is not null).GroupBy(c => c.Config.Rank).OrderBy(g => g.Key)
            .Select(g => $"r={g.Key} {score(Best(g)!.Final)?.ToString() ?? "—"}"));

    private static string BaseNote(Estimate? baseScore) => baseScore is { } b ? $"; base {b}" : "";
}
