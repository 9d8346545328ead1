using Pipeline.Contracts.Reports;
using Pipeline.Reporting.Scoring;

namespace Pipeline.Reporting.Findings;

/// <summary>
/// One method's forgetting per unit of learning: the least-squares slope through the base model of
/// y = base source − source against x = target − base target, over its checkpoints. Its evaluation error carries the
/// paired per-item errors of every point through the slope (delta method: ∂slope/∂y_j = x_j/Sxx,
/// ∂slope/∂x_j = (y_j − 2·slope·x_j)/Sxx); the scatter of the checkpoints about the line beyond that is training noise.
/// </summary>
internal sealed record ParetoSlope(double Value, ItemScore? Items, double? EvaluationStdErr, double Scatter, int Points)
{
    private sealed record Point(Estimate X, Estimate Y, ItemScore? XItems, ItemScore? YItems);

    public static ParetoSlope? Fit(IReadOnlyList<ReportCheckpoint> checkpoints, ReportCheckpoint baseModel, MetricChoice target, MetricChoice source)
    {
        var points = checkpoints.Select(c => PointOf(c, baseModel, target, source)).OfType<Point>().ToList();
        var sxx = points.Sum(p => p.X.Value * p.X.Value);
        if (points.Count < 2 || sxx < 1e-12) return null;
        var slope = points.Sum(p => p.X.Value * p.Y.Value) / sxx;
        var scatter = Math.Sqrt(points.Sum(p => Math.Pow(p.Y.Value - slope * p.X.Value, 2)) / (points.Count - 1) / sxx);
        if (points.All(p => p.XItems is not null && p.YItems is not null))
        {
            var items = ItemScore.Combine([.. points.SelectMany(p => new[]
            {
                ((p.Y.Value - 2 * slope * p.X.Value) / sxx, p.XItems!), (p.X.Value / sxx, p.YItems!),
            })], slope);
            return new(slope, items, items.StdErr, scatter, points.Count);
        }
        double? propagated = points.All(p => p.Y.StdErr is not null)
            ? Math.Sqrt(points.Sum(p => Math.Pow(p.X.Value * p.Y.StdErr!.Value, 2))) / sxx
            : null;
        return new(slope, null, propagated, scatter, points.Count);
    }

    /// <summary>This slope minus another's: paired by item when both carry items; each one's excess scatter is the training part.</summary>
    public Effect Minus(ParetoSlope other)
    {
        var paired = Items is not null && other.Items is not null;
        var evaluation = paired ? ItemScore.Combine([(1, Items!), (-1, other.Items!)]).StdErr
            : Estimate.Quadrature(EvaluationStdErr, other.EvaluationStdErr);
        var training = Math.Sqrt(ExcessScatterVariance + other.ExcessScatterVariance);
        var design = (paired ? $"paired by item over {Items!.Items.Count} items" : "unpaired: no per-sample records")
            + $"; training part: the scatter of {Points} and {other.Points} checkpoints about their lines beyond evaluation noise";
        return new Effect(Value - other.Value, evaluation, training, paired ? Items!.Items.Count : null, 1, design);
    }

    private double ExcessScatterVariance => Math.Max(0, Scatter * Scatter - Math.Pow(EvaluationStdErr ?? 0, 2));

    public override string ToString() =>
        new Estimate(Value, EvaluationStdErr is { } e ? Math.Sqrt(e * e + ExcessScatterVariance) : null).ToString();

    private static Point? PointOf(ReportCheckpoint c, ReportCheckpoint baseModel, MetricChoice target, MetricChoice source)
    {
        if (target.Score(c) is not { } t || source.Score(c) is not { } s || target.Score(baseModel) is not { } t0 || source.Score(baseModel) is not { } s0)
            return null;
        return new Point(t - t0, s0 - s, Paired(target.ScoreItems(c), target.ScoreItems(baseModel)), Paired(source.ScoreItems(baseModel), source.ScoreItems(c)));
    }

    private static ItemScore? Paired(ItemScore? a, ItemScore? b) => a is not null && b is not null && a.HasSameItems(b) ? a.Minus(b) : null;
}
