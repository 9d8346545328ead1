using Pipeline.Contracts.Reports;
namespace Pipeline.Reporting.Scoring;

/// <summary>
/// The metric a domain is scored by, chosen deterministically from what the checkpoints report:
/// the first metric family in the domain's preference list that any checkpoint reports and that measures something
/// ("exact_match" before "acc_norm"; within a family the "strict-match" filter first, then by name), averaged without
/// weights over every task of the domain that reports it (the paper's source score is such a mean). A metric
/// measures something when at least one checkpoint differs from the base model by more than 2 SE: a small
/// model at chance on a benchmark, or one that never solves an item, cannot rank methods, so the next family is tried
/// (whichever way the metric would move, so the choice does not favour a method). Without a base checkpoint, a metric
/// at zero everywhere is passed over. Perplexity-style metrics are negated so that higher is always better.
/// </summary>
public sealed record MetricChoice(string Domain, string Metric, IReadOnlyList<string> Tasks, bool Negated)
{
    public static readonly IReadOnlyList<string> TargetPreference = ["pass@1", "exact_match", "acc_norm", "acc", "bits_per_byte"];
    public static readonly IReadOnlyList<string> SourcePreference = ["acc_norm", "acc", "bits_per_byte"];
    public static readonly IReadOnlyList<string> DiversityPreference = ["distinct_2", "distinct_1", "fraction_unique"];

    private static readonly HashSet<string> LowerIsBetter = ["bits_per_byte", "byte_perplexity", "word_perplexity", "token_perplexity"];

    public string Label => Negated ? $"−{Metric} ({string.Join(", ", Tasks)})" : $"{Metric} ({string.Join(", ", Tasks)})";

    public static MetricChoice? Choose(IEnumerable<ReportCheckpoint> checkpoints, string domain, IReadOnlyList<string> preference)
    {
        var reported = checkpoints.SelectMany(c => c.Metrics)
            .Where(m => string.Equals(m.Domain, domain, StringComparison.OrdinalIgnoreCase))
            .ToList();
        var candidates = preference
            .Select(family => reported.Select(m => m.Metric).Where(name => Family(name) == family).Distinct()
                .OrderBy(name => name.EndsWith(",strict-match", StringComparison.Ordinal) ? 0 : 1)
                .ThenBy(name => name, StringComparer.Ordinal)
                .FirstOrDefault())
            .OfType<string>()
            .Where(metric => reported.Any(m => m.Metric == metric && m.Value != 0)) // at the floor everywhere: it measures nothing
            .ToList();
        var metric = candidates.FirstOrDefault(m => MovesFromBase(checkpoints, domain, m)) ?? candidates.FirstOrDefault();
        if (metric is null) return null;
        var tasks = reported.Where(m => m.Metric == metric).Select(m => m.Task).Distinct().Order(StringComparer.Ordinal).ToList();
        return new MetricChoice(domain, metric, tasks, LowerIsBetter.Contains(Family(metric)));
    }

    /// <summary>True when some finetuned checkpoint differs from the base on this metric by more than 2 SE, or when there is no base to compare with.</summary>
    private static bool MovesFromBase(IEnumerable<ReportCheckpoint> checkpoints, string domain, string metric)
    {
        var values = checkpoints.SelectMany(c => c.Metrics
                .Where(m => m.Metric == metric && string.Equals(m.Domain, domain, StringComparison.OrdinalIgnoreCase))
                .Select(m => (c.IsBase, Metric: m)))
            .ToList();
        var atBase = values.Where(v => v.IsBase).DistinctBy(v => v.Metric.Task).ToDictionary(v => v.Metric.Task, v => v.Metric);
        if (atBase.Count == 0) return true;
        return values.Where(v => !v.IsBase && atBase.ContainsKey(v.Metric.Task)).Any(v =>
        {
            var change = new Estimate(v.Metric.Value, v.Metric.StdErr ?? 0) - new Estimate(atBase[v.Metric.Task].Value, atBase[v.Metric.Task].StdErr ?? 0);
            return Math.Abs(change.Value) > 2 * (change.StdErr ?? 0);
        });
    }

    /// <summary>The checkpoint's score, or null when it lacks any of the chosen tasks (a partial mean would not compare).</summary>
    public Estimate? Score(ReportCheckpoint checkpoint)
    {
        var perTask = new List<Estimate>(Tasks.Count);
        foreach (var task in Tasks)
        {
            var m = checkpoint.Metrics.FirstOrDefault(x => x.Task == task && x.Metric == Metric
                && string.Equals(x.Domain, Domain, StringComparison.OrdinalIgnoreCase));
            if (m is null) return null;
            perTask.Add(new Estimate(Negated ? -m.Value : m.Value, m.StdErr));
        }
        return Estimate.MeanOfIndependent(perTask);
    }

    /// <summary>
    /// The checkpoint's score from its per-item records, or null when a chosen task has none (evaluated before they
    /// were kept). bits_per_byte is the pooled ratio Σ −loglikelihood / (ln 2 · Σ bytes) over documents, every other
    /// metric the mean of its per-item field; items without a source document are their own cluster.
    /// </summary>
    public ItemScore? ScoreItems(ReportCheckpoint checkpoint)
    {
        var perTask = new List<ItemScore>(Tasks.Count);
        foreach (var task in Tasks)
        {
            var samples = checkpoint.Samples.Where(s => s.Task == task && string.Equals(s.Domain, Domain, StringComparison.OrdinalIgnoreCase)).ToList();
            if (TaskScore(task, samples) is not { } score) return null;
            perTask.Add(score);
        }
        var mean = ItemScore.MeanOfTasks(perTask);
        return Negated ? mean.Scale(-1) : mean;
    }

    private ItemScore? TaskScore(string task, IReadOnlyList<ReportSample> samples)
    {
        if (samples.Count == 0) return null;
        static string Cluster(ReportSample s) => s.SourceId ?? $"#{s.DocId}";
        if (Family(Metric) == "bits_per_byte")
            return samples.All(s => s.Values.ContainsKey("loglikelihood") && s.Values.ContainsKey("bytes"))
                ? ItemScore.Ratio([.. samples.Select(s => (new ItemKey(task, s.DocId), Cluster(s), -s.Values["loglikelihood"] / Math.Log(2), s.Values["bytes"]))])
                : null;
        return samples.All(s => s.Values.ContainsKey(Metric))
            ? ItemScore.Mean([.. samples.Select(s => (new ItemKey(task, s.DocId), Cluster(s), s.Values[Metric]))])
            : null;
    }

    /// <summary>The seed-averaged score of checkpoints repeating one run (different seeds), or null when none has it.</summary>
    public Estimate? ScoreOfRepeats(IEnumerable<ReportCheckpoint> repeats) =>
        repeats.Select(Score).OfType<Estimate>().ToList() is { Count: > 0 } scores ? Estimate.MeanOfRepeats(scores) : null;

    /// <summary>"exact_match,strict-match" belongs to the family "exact_match".</summary>
    private static string Family(string metric) => metric.Split(',')[0];
}
