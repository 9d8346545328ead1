using Pipeline.Contracts.Reports;
using Pipeline.Reporting.Scoring;
using ScottPlot;

namespace Pipeline.Reporting.Figures;

/// <summary>Figures comparing methods at their last checkpoint: learning-rate sweeps, generation diversity, intruder dimensions.</summary>
internal static class MethodFigures
{
    public static readonly Figure LearningRate = new("learning_rate_sensitivity", "Learning-rate sensitivity per method",
        "Final target score against peak learning rate, one line per configuration, seeds averaged, ±1 SE.",
        "No configuration was trained at two or more learning rates.", BuildLearningRate);

    public static readonly Figure Diversity = new("generation_diversity", "Generation diversity per method",
        "Diversity of target-task generations at the last checkpoint, each configuration at its best learning rate, ±1 SE.",
        "No checkpoint reports a diversity metric (distinct_1, distinct_2, fraction_unique) on a target generation task.", BuildDiversity);

    public static readonly Figure Intruders = new("intruder_dimensions", "Intruder dimensions per method",
        "Mean intruder dimensions per weight matrix at the last checkpoint: top singular vectors of the finetuned W whose best |cosine| with the base W's singular vectors is below ε.",
        "No finetuned checkpoint has a rank analysis with intruder counts.", BuildIntruders);

    private static Plot? BuildLearningRate(StudyData d)
    {
        if (d.Target is null) return null;
        var sweeps = d.Curves.Where(c => c.Final.Target is not null).GroupBy(c => c.Config).Where(g => g.Count() >= 2).ToList();
        if (sweeps.Count == 0) return null;
        var plot = Chart.New($"Learning-rate sensitivity — {d.Input.ExperimentName}", "peak learning rate", $"final {d.Target.Label}");
        Chart.LogX(plot, sweeps.SelectMany(g => g).Select(c => c.LearningRate), Units.Rate);
        for (var i = 0; i < sweeps.Count; i++)
        {
            var curves = sweeps[i].OrderBy(c => c.LearningRate).ToList();
            Chart.Series(plot, curves.Select(c => Math.Log10(c.LearningRate)).ToList(), curves.Select(c => c.Final.Target!.Value).ToList(), sweeps[i].Key.Label, Chart.ColorOf(i));
        }
        Chart.BaseLine(plot, d.BaseTarget);
        return plot;
    }

    private static Plot? BuildDiversity(StudyData d)
    {
        var metrics = d.Input.Checkpoints.SelectMany(c => c.Metrics)
            .Where(m => m.Domain.Equals("target", StringComparison.OrdinalIgnoreCase) && MetricChoice.DiversityPreference.Contains(m.Metric))
            .Select(m => (m.Task, m.Metric)).Distinct().OrderBy(m => m.Metric, StringComparer.Ordinal).ThenBy(m => m.Task, StringComparer.Ordinal)
            .Select(m => new MetricChoice("target", m.Metric, [m.Task], Negated: false)).ToList();
        if (metrics.Count == 0) return null;
        var rows = Rows(d).Select(r => (r.Label, Scores: metrics.Select(m => m.ScoreOfRepeats(r.Checkpoints)).ToList()))
            .Where(r => r.Scores.Any(s => s is not null)).ToList();
        if (rows.Count == 0) return null;
        var plot = Chart.New($"Generation diversity — {d.Input.ExperimentName}", "", "diversity");
        Chart.GroupedBars(plot, rows.Select(r => r.Label).ToList(), metrics.Select((m, i) => (m.Label, (IReadOnlyList<Estimate?>)rows.Select(r => r.Scores[i]).ToList())).ToList());
        return plot;
    }

    private static Plot? BuildIntruders(StudyData d)
    {
        var rows = Rows(d).Where(r => r.Label != "base model")
            .Select(r => (r.Label, Ranks: r.Checkpoints.SelectMany(c => c.Ranks).Where(x => x.Intruders05 is not null).ToList())).Where(r => r.Ranks.Count > 0).ToList();
        if (rows.Count == 0) return null;
        var plot = Chart.New($"Intruder dimensions — {d.Input.ExperimentName}", "", "intruder dimensions per matrix");
        Estimate? Mean(List<ReportRank> ranks, Func<ReportRank, int?> count) =>
            ranks.Where(r => count(r) is not null).Select(r => (double)count(r)!.Value).ToList() is { Count: > 0 } v ? Estimate.MeanOfSample(v) : null;
        Chart.GroupedBars(plot, rows.Select(r => r.Label).ToList(),
        [
            ("ε = 0.5", rows.Select(r => Mean(r.Ranks, x => x.Intruders05)).ToList()),
            ("ε = 0.6", rows.Select(r => Mean(r.Ranks, x => x.Intruders06)).ToList()),
        ]);
        return plot;
    }

    /// <summary>The base model, then each configuration's last checkpoint at its best learning rate.</summary>
    private static IEnumerable<(string Label, IReadOnlyList<ReportCheckpoint> Checkpoints)> Rows(StudyData d)
    {
        if (d.Base is { } b) yield return ("base model", [b]);
        foreach (var c in d.BestCurves) yield return (c.Config.Label, c.Final.Checkpoints);
    }
}
