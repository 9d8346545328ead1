using Pipeline.Reporting.Scoring;
using ScottPlot;

namespace Pipeline.Reporting.Figures;

/// <summary>Figures over training: learning, forgetting, their trade-off and the regularization baselines.</summary>
internal static class CurveFigures
{
    public static readonly Figure Learning = new("learning_curve", "Learning: target score vs training tokens",
        "Each configuration at its best learning rate, seeds averaged, ±1 SE (paper Fig. 1).",
        "No run has target-domain scores.", d => OverTokens(d, "Learning", d.Target, p => p.Target, d.BaseTarget));

    public static readonly Figure Forgetting = new("forgetting_curve", "Forgetting: source score vs training tokens",
        "Each configuration at its best learning rate, seeds averaged, ±1 SE; lower means more forgetting (paper Fig. 2).",
        "No run has source-domain scores.", d => OverTokens(d, "Forgetting", d.Source, p => p.Source, d.BaseSource));

    public static readonly Figure Tradeoff = new("learning_vs_forgetting", "Learning vs forgetting, every checkpoint",
        "Every checkpoint of every run (seeds averaged); the black line is the Pareto front over all of them (paper Fig. 3).",
        "No checkpoint has both target and source scores.", BuildTradeoff);

    public static readonly Figure Regularization = new("regularization", "LoRA vs full FT with weight decay and dropout",
        "Source against target score along training: at the same learning, the higher curve forgets less (paper Fig. 6).",
        "No full-finetuning run with weight decay or dropout, or no LoRA run, has both target and source scores.", BuildRegularization);

    private static Plot? OverTokens(StudyData d, string title, MetricChoice? metric, Func<CurvePoint, Estimate?> score, Estimate? baseScore)
    {
        if (metric is null) return null;
        var curves = d.BestCurves.Where(c => c.Points.Any(p => !p.IsBase && score(p) is not null)).ToList();
        if (curves.Count == 0) return null;
        var plot = Chart.New($"{title} — {d.Input.ExperimentName}", "training tokens", metric.Label);
        Chart.LogX(plot, curves.SelectMany(c => c.Points).Select(p => (double)p.Tokens), Units.Tokens);
        for (var i = 0; i < curves.Count; i++)
        {
            var points = curves[i].Points.Where(p => !p.IsBase && score(p) is not null).ToList();
            Chart.Series(plot, points.Select(p => Math.Log10(p.Tokens)).ToList(), points.Select(p => score(p)!.Value).ToList(), curves[i].Config.Label, Chart.ColorOf(i));
        }
        Chart.BaseLine(plot, baseScore);
        return plot;
    }

    private static Plot? BuildTradeoff(StudyData d)
    {
        if (d.Target is null || d.Source is null) return null;
        var groups = d.Curves.SelectMany(c => c.Points.Where(p => p is { Target: not null, Source: not null }).Select(p => (Family: Family(c.Config), Point: p)))
            .GroupBy(x => x.Family).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        if (groups.Count == 0) return null;
        var plot = Chart.New($"Learning vs forgetting — {d.Input.ExperimentName}", d.Target.Label, d.Source.Label);
        var all = new List<(double X, double Y)>();
        for (var i = 0; i < groups.Count; i++)
        {
            var xs = groups[i].Select(x => x.Point.Target!.Value.Value).ToArray();
            var ys = groups[i].Select(x => x.Point.Source!.Value.Value).ToArray();
            var markers = plot.Add.ScatterPoints(xs, ys, Chart.ColorOf(i));
            markers.LegendText = groups[i].Key;
            markers.MarkerSize = 7;
            all.AddRange(xs.Zip(ys));
        }
        if (d is { BaseTarget: { } bt, BaseSource: { } bs })
        {
            var basePoint = plot.Add.ScatterPoints(new[] { bt.Value }, new[] { bs.Value }, Colors.Black);
            basePoint.MarkerShape = MarkerShape.FilledDiamond;
            basePoint.MarkerSize = 11;
            basePoint.LegendText = "base model";
            all.Add((bt.Value, bs.Value));
        }
        var front = ParetoFront(all);
        var line = plot.Add.Scatter(front.Select(p => p.X).ToArray(), front.Select(p => p.Y).ToArray(), Colors.Black);
        line.LegendText = "Pareto front";
        line.MarkerSize = 0;
        line.ConnectStyle = ConnectStyle.StepVertical;
        return plot;
    }

    /// <summary>Points no other point beats on both learning and forgetting, in order of learning (both axes: higher is better).</summary>
    internal static IReadOnlyList<(double X, double Y)> ParetoFront(IEnumerable<(double X, double Y)> points) => Pareto.Front(points, p => p.X, p => p.Y);

    private static Plot? BuildRegularization(StudyData d)
    {
        if (d.Target is null || d.Source is null) return null;
        var full = d.BestCurves.Where(c => c.Config.IsFull).ToList();
        var plain = d.PlainFull(full).ToList();
        var regularized = full.Except(plain).ToList();
        var lora = d.BestCurves.Where(c => c.Config.IsLora).ToList();
        var shown = lora.Concat(plain).Concat(regularized).Where(c => c.Points.Any(p => p is { Target: not null, Source: not null })).ToList();
        if (regularized.Count == 0 || !shown.Any(c => c.Config.IsLora)) return null;
        var plot = Chart.New($"Regularization at matched learning — {d.Input.ExperimentName}", d.Target.Label, d.Source.Label);
        for (var i = 0; i < shown.Count; i++)
        {
            var points = shown[i].Points.Where(p => p is { Target: not null, Source: not null }).ToList();
            var line = plot.Add.Scatter(points.Select(p => p.Target!.Value.Value).ToArray(), points.Select(p => p.Source!.Value.Value).ToArray(), Chart.ColorOf(i));
            line.LegendText = shown[i].Config.Label;
            line.MarkerSize = 6;
            if (!shown[i].Config.IsLora) line.LinePattern = LinePattern.Dashed;
        }
        Chart.BaseLine(plot, d.BaseSource);
        return plot;
    }

    private static string Family(RunConfig c) => c switch
    {
        { IsFull: true, WeightDecay: > 0, Dropout: > 0 } => "full FT + wd + dropout",
        { IsFull: true, WeightDecay: > 0 } => "full FT + weight decay",
        { IsFull: true, Dropout: > 0 } => "full FT + dropout",
        { IsFull: true } => "full FT",
        _ => $"{c.Label.Split(' ')[0]} r={c.Rank}",
    };
}
