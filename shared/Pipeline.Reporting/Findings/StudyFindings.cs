using Pipeline.Contracts.Reports;
using Pipeline.Reporting.Scoring;

namespace Pipeline.Reporting.Findings;

/// <summary>
/// Tests each finding of "LoRA Learns Less and Forgets Less" on one study. "LoRA" is plain LoRA (method "lora");
/// "full FT" is full finetuning without extra weight decay or dropout. Each configuration is taken at its best learning
/// rate and its last checkpoint. Two models are compared seed by seed and item by item (<see cref="Comparison"/>).
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
        if (BestLora(d) is not { } lora || BestFull(d) is not { } full || TargetGap(d, full, lora) is not { } gap)
            return Finding.Missing("1", claim, effect, "Add full-finetuning and LoRA runs with target-domain evaluations.");
        return Finding.Judge("1", claim, effect, gap,
            $"{Describe(full, p => p.Target)} vs {Describe(lora, p => p.Target)}{BaseNote(d.BaseTarget)}; LoRA by rank: {ByRank(d, p => p.Target)}.",
            $"{MoreEval} The gap opens with training tokens (most in CPT): train longer.");
    }

    private static Finding ForgetsLess(StudyData d)
    {
        const string claim = "LoRA forgets less than full finetuning";
        const string effect = "best LoRA − full FT, source score at the last checkpoint";
        if (BestLora(d) is not { } lora || BestFull(d) is not { } full
            || d.Compare(d.Source, lora.Final.Checkpoints, full.Final.Checkpoints) is not { } gap)
            return Finding.Missing("2", claim, effect, "Add full-finetuning and LoRA runs with source-domain evaluations.");
        return Finding.Judge("2", claim, effect, gap,
            $"{Describe(full, p => p.Source)} vs {Describe(lora, p => p.Source)}{BaseNote(d.BaseSource)}; LoRA by rank (best-learning configuration): {ByRank(d, p => p.Source)}.",
            $"{MoreEval} Forgetting grows with tokens: train longer so that full FT drifts measurably from the base.");
    }

    private static Finding ForgettingGrows(StudyData d)
    {
        const string claim = "Forgetting grows with training tokens";
        const string effect = "full FT source score at the first − the last checkpoint";
        var points = BestFull(d)?.Points.Where(p => !p.IsBase && p.Source is not null).ToList();
        if (points is not { Count: >= 2 } || d.Compare(d.Source, points[0].Checkpoints, points[^1].Checkpoints) is not { } drop)
            return Finding.Missing("2b", claim, effect, "Evaluate the source domain on at least two full-FT checkpoints.");
        return Finding.Judge("2b", claim, effect, drop,
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
        var lora = Checkpoints(d.BestCurves.Where(c => c.Config.IsLora));
        var full = Checkpoints(d.PlainFull(d.BestCurves));
        if (d is not { Base: { } baseModel, Target: { } target, Source: { } source } || lora.Count < 2 || full.Count < 2)
            return Finding.Missing("3", claim, effect, "Need the base model's scores and at least two checkpoints with target and source scores for LoRA and for full FT.");
        if (ParetoSlope.Fit(lora, baseModel, target, source) is not { } loraSlope || ParetoSlope.Fit(full, baseModel, target, source) is not { } fullSlope)
            return Finding.Missing("3", claim, effect, "The runs did not move the target score away from the base model: train longer or at a higher learning rate.");
        var margin = Math.Max(0.25 * Math.Abs(fullSlope.Value), 1e-9);
        return Finding.JudgeEquivalence("3", claim, effect, loraSlope.Minus(fullSlope), margin,
            $"LoRA {loraSlope} over {lora.Count} checkpoints; full FT {fullSlope} over {full.Count}; equivalence margin ±{Estimate.Format(margin)}.",
            $"{MoreEval} Add checkpoints (doubling tokens) and LoRA ranks that learn as much as full FT, so both slopes are measured over a wide range.");
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
        var comparisons = new List<(Effect Size, string Text)>();
        foreach (var baseline in regularized)
        {
            var match = baseline.Points.Where(p => p.Target is not null && p.Source is not null)
                .MinBy(p => Math.Abs(p.Target!.Value.Value - level.Value));
            if (match is null || d.Compare(d.Source, lora.Final.Checkpoints, match.Checkpoints) is not { } size) continue;
            var gap = d.Compare(d.Target, match.Checkpoints, lora.Final.Checkpoints)!;
            var matched = gap.StdErr is { } se && Math.Abs(gap.Value) <= gap.Critical * se ? "matched" : $"learning gap {gap}";
            comparisons.Add((size, $"{baseline.Label}: source {match.Source} at {Units.Tokens(match.Tokens)} tokens ({matched})"));
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
        return Finding.Judge("5", claim, $"{effect} ({metric.Label})", d.Compare(metric, lora.Final.Checkpoints, full.Final.Checkpoints)!, $"{lora.Label}: {l}; {full.Label}: {f}.",
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
        return Finding.Judge("7a", claim, effect, d.Compare(d.Target, all.Final.Checkpoints, attention.Final.Checkpoints)!, evidence + ".", MoreEval);
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
        return Finding.Judge("7b", claim, effect, d.Compare(d.Target, best.Final.Checkpoints, worst.Final.Checkpoints)!,
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
        return Finding.Judge("7c", claim, effect, cptGap.MinusIndependent(iftGap),
            $"{cpt.Input.ExperimentName} (CPT): full FT − LoRA = {cptGap}; {ift.Input.ExperimentName} (IFT): {iftGap}; learning scored by {cpt.Target!.Label} in both.",
            $"{MoreEval} Train both regimes longer: the CPT gap opens with tokens.");
    }

    private static bool IsRegime(StudyData d, string regime) => string.Equals(d.Input.Regime, regime, StringComparison.OrdinalIgnoreCase);

    /// <summary>Finding 1's effect: full FT's final target score minus the best LoRA's.</summary>
    private static Effect? TargetGap(StudyData d, Curve full, Curve lora) => d.Compare(d.Target, full.Final.Checkpoints, lora.Final.Checkpoints);

    private static Effect? Gap(StudyData d) => BestLora(d) is { } lora && BestFull(d) is { } full ? TargetGap(d, full, lora) : null;

    /// <summary>Shuttleworth et al. (2024): LoRA's finetuned weights gain intruder dimensions, full FT's do not. Paired by matrix.</summary>
    private static Finding Intruders(StudyData d)
    {
        const string claim = "LoRA creates intruder dimensions, full FT does not (Shuttleworth et al.)";
        const string effect = "LoRA − full FT intruder dimensions per matrix (ε = 0.5), last checkpoint";
        Dictionary<(int, string), double>? PerMatrix(Curve? c) =>
            c?.Final.Checkpoints.SelectMany(k => k.Ranks).Where(r => r.Intruders05 is not null)
                .GroupBy(r => (r.Layer, r.Module)).ToDictionary(g => g.Key, g => g.Average(r => (double)r.Intruders05!.Value)) is { Count: > 0 } m ? m : null;
        var lora = BestLora(d);
        var full = BestFull(d);
        if (PerMatrix(lora) is not { } l || PerMatrix(full) is not { } f || l.Keys.Where(f.ContainsKey).ToList() is not { Count: > 0 } matrices)
            return Finding.Missing("R1", claim, effect, "Run the rank analysis on the same matrices of the last LoRA and full-FT checkpoints.");
        var differences = matrices.Select(m => l[m] - f[m]).ToList();
        return Finding.Judge("R1", claim, effect,
            Effect.Once(Estimate.MeanOfSample(differences), differences.Count, "matrices", $"paired over {differences.Count} matrices", SignCounts.Of(differences),
                Math.Max(lora!.Final.Checkpoints.Count, full!.Final.Checkpoints.Count)),
            $"{lora.Label}: {Estimate.MeanOfSample([.. l.Values])}; {full.Label}: {Estimate.MeanOfSample([.. f.Values])}.",
            "Analyse more layers, or more checkpoints and seeds.");
    }

    /// <summary>Every checkpoint (each seed its own) of the curves that has both target and source scores.</summary>
    private static List<ReportCheckpoint> Checkpoints(IEnumerable<Curve> curves) =>
        curves.SelectMany(c => c.Points).SelectMany(p => p.Checkpoints).Where(c => !c.IsBase).ToList();

    private static string Describe(Curve c, Func<CurvePoint, Estimate?> score) =>
        $"{c.Label}: {score(c.Final)} at {Units.Tokens(c.Final.Tokens)} tokens" + (c.Seeds > 1 ? $" ({c.Seeds} seeds)" : "");

    /// <summary>Per LoRA rank, the score of the configuration that learns most at that rank.</summary>
    private static string ByRank(StudyData d, Func<CurvePoint, Estimate?> score) => string.Join(", ",
        d.BestCurves.Where(c => c.Config.IsLora && c.Final.Target is not null).GroupBy(c => c.Config.Rank).OrderBy(g => g.Key)
            .Select(g => $"r={g.Key} {score(Best(g)!.Final)?.ToString() ?? "—"}"));

    private static string BaseNote(Estimate? baseScore) => baseScore is { } b ? $"; base {b}" : "";
}
