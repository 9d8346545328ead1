using Pipeline.Contracts.Reports;
using Pipeline.Reporting.Findings;
using Pipeline.Reporting.Scoring;
using ScottPlot;

namespace Pipeline.Reporting.Figures;

/// <summary>Figures on the rank of full finetuning's weight change ΔW.</summary>
internal static class RankFigures
{
    public static readonly Figure RankOverTokens = new("delta_w_rank", "Rank of full FT's ΔW vs training tokens",
        "Rank explaining 90% of ΔW's variance, mean over layers, per module type; dotted: the LoRA ranks; dashed red: a random Gaussian matrix of the same shape (paper Fig. 7).",
        "No full-finetuning checkpoint has a rank analysis.", BuildRankOverTokens);

    public static readonly Figure Heatmap = new("delta_w_rank_heatmap", "Rank of full FT's ΔW per layer and module",
        "Rank explaining 90% of ΔW's variance at the last analysed full-FT checkpoint.",
        "No full-finetuning checkpoint has a rank analysis.", BuildHeatmap);

    private static Plot? BuildRankOverTokens(StudyData d)
    {
        var analysed = RankFindings.FullCheckpointsWithRanks(d).Where(p => !p.IsBase).ToList();
        if (analysed.Count == 0) return null;
        var plot = Chart.New($"ΔW rank@90% (full FT) — {d.Input.ExperimentName}", "training tokens", "rank explaining 90% of variance");
        Chart.LogX(plot, analysed.Select(p => (double)p.Tokens), Units.Tokens);
        var modules = Modules(analysed.SelectMany(Ranks));
        for (var i = 0; i < modules.Count; i++)
        {
            var points = analysed.Where(p => Ranks(p).Any(r => r.Module == modules[i])).ToList();
            var means = points.Select(p => Estimate.MeanOfSample(Ranks(p).Where(r => r.Module == modules[i]).Select(r => (double)r.Rank90).ToList())).ToList();
            Chart.Series(plot, points.Select(p => Math.Log10(p.Tokens)).ToList(), means, modules[i], Chart.ColorOf(i));
        }
        var loraRanks = d.Input.LoraRanksOfInterest.Distinct().Order().ToList();
        foreach (var rank in loraRanks)
        {
            var line = plot.Add.HorizontalLine(rank, 1, Colors.Gray, LinePattern.Dotted);
            if (rank == loraRanks[0]) line.LegendText = $"LoRA r = {string.Join(", ", loraRanks)}";
        }
        var random = plot.Add.HorizontalLine(analysed.SelectMany(Ranks).Average(r => r.RandomRank90), 1.5f, Colors.Red, LinePattern.Dashed);
        random.LegendText = "random matrix";
        plot.Axes.Margins(bottom: 0);
        return plot;
    }

    private static Plot? BuildHeatmap(StudyData d)
    {
        var analysed = RankFindings.FullCheckpointsWithRanks(d);
        if (analysed.Count == 0) return null;
        var last = analysed[^1];
        var ranks = Ranks(last).ToList();
        var modules = Modules(ranks);
        var layers = ranks.Select(r => r.Layer).Distinct().Order().ToList();
        // Rows are drawn top to bottom, so the last layer goes first to put layer 0 at the bottom.
        var cells = new double[layers.Count, modules.Count];
        for (var row = 0; row < layers.Count; row++)
            for (var col = 0; col < modules.Count; col++)
            {
                var values = ranks.Where(r => r.Layer == layers[^(row + 1)] && r.Module == modules[col]).ToList();
                cells[row, col] = values.Count == 0 ? double.NaN : values.Average(r => r.Rank90);
            }
        var plot = Chart.New($"ΔW rank@90% at {Units.Tokens(last.Tokens)} tokens (full FT) — {d.Input.ExperimentName}", "module", "layer");
        var heatmap = plot.Add.Heatmap(cells);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        plot.Add.ColorBar(heatmap).Label = "rank@90%";
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, modules.Count).Select(i => (double)i).ToArray(), modules.ToArray());
        plot.Axes.Left.SetTicks(Enumerable.Range(0, layers.Count).Select(i => (double)i).ToArray(), layers.Select(l => l.ToString()).ToArray());
        return plot;
    }

    private static IEnumerable<ReportRank> Ranks(CurvePoint point) => point.Checkpoints.SelectMany(c => c.Ranks);

    private static List<string> Modules(IEnumerable<ReportRank> ranks) => ModuleNames.Ordered(ranks.Select(r => r.Module));
}
