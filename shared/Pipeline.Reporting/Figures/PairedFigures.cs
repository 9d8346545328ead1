using Pipeline.Reporting.Findings;
using Pipeline.Reporting.Scoring;
using ScottPlot;

namespace Pipeline.Reporting.Figures;

/// <summary>The paired view behind finding 2: every source item scored by both models.</summary>
internal static class PairedFigures
{
    public static readonly Figure Source = new("paired_source", "Per item: LoRA against full FT on the source domain",
        "Each point is one source item (a document's bits/byte, a question's 0/1 score) at the last checkpoint of the best LoRA and of full FT, "
        + "the first seed they share. Points off the diagonal are where the two models differ; the paired test reads exactly these differences.",
        "No per-sample records for both the best LoRA and full FT on the source domain (checkpoints evaluated before they were kept).", Build);

    private static Plot? Build(StudyData d)
    {
        if (d.Source is not { } source || StudyFindings.BestLora(d) is not { } lora || StudyFindings.BestFull(d) is not { } full) return null;
        var pair = Comparison.SeedPairs(lora.Final.Checkpoints, full.Final.Checkpoints, d.SeedOf).FirstOrDefault();
        if (pair.A is null || source.ScoreItems(pair.A)?.PerItem is not { } loraItems || source.ScoreItems(pair.B)?.PerItem is not { } fullItems) return null;
        var items = loraItems.Keys.Where(fullItems.ContainsKey).ToList();
        if (items.Count == 0) return null;
        var sign = source.Negated ? -1 : 1; // show the metric as reported (bits/byte: lower is better)
        var xs = items.Select(k => sign * fullItems[k]).ToArray();
        var ys = items.Select(k => sign * loraItems[k]).ToArray();
        var plot = Chart.New($"Source items, LoRA vs full FT — {d.Input.ExperimentName}", $"{full.Label}: {source.Metric}", $"{lora.Label}: {source.Metric}");
        var points = plot.Add.ScatterPoints(xs, ys, Chart.ColorOf(0));
        points.LegendText = $"{items.Count} items";
        var (low, high) = (Math.Min(xs.Min(), ys.Min()), Math.Max(xs.Max(), ys.Max()));
        var diagonal = plot.Add.Line(low, low, high, high);
        diagonal.Color = Colors.Black;
        diagonal.LinePattern = LinePattern.Dashed;
        diagonal.LegendText = "equal scores";
        return plot;
    }
}
