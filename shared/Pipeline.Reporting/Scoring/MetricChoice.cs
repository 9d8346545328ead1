namespace Pipeline.Reporting.Scoring;

/// <summary>
/// The metric a domain is scored by, chosen deterministically from what the checkpoints report:
/// the first metric family in the domain's preference list that any checkpoint reports ("exact_match" before
/// "acc_norm"; within a family the "strict-match" filter first, then by name), averaged without weights over every
/// task of the domain that reports it (the paper's source score is such a mean). A metric that is zero at every
/// checkpoint (a small model that never solves one item) is passed over for the next family. Perplexity-style metrics are negated
/// so that higher is always better.
/// </summary>
public sealed record MetricChoice(string Domain, string Metric, IReadOnlyList<string> Tasks, bool Negated)
{
    public static readonly IReadOnlyList<string> TargetPreference = ["pass@1", "exact_match", "acc_norm", "acc", "bits_per_byte"];
    public static readonly IReadOnlyList<string> SourcePreference = ["acc_norm", "acc", "bits_per_byte"];
    public static readonly IReadOnlyList<string> DiversityPreference = ["distinct_2", "distinct_1", "unique_fraction"];

    private static readonly HashSet<string> LowerIsBetter = ["bits_per_byte", "byte_perplexity", "word_perplexity", "token_perplexity"];

    public string Label => Negated ? $"−{Metric} ({string.Join(", ", Tasks)})" : $"{Metric} ({string.Join(", ", Tasks)})";

    public static MetricChoice? Choose(IEnumerable<ReportCheckpoint> checkpoints, string domain, IReadOnlyList<string> preference)
    {
        var reported = checkpoints.SelectMany(c => c.Metrics)
            .Where(m => string.Equals(m.Domain, domain, StringComparison.OrdinalIgnoreCase))
            .ToList();
        foreach (var family in preference)
        {
            var metric = reported.Select(m => m.Metric).Where(name => Family(name) == family).Distinct()
                .OrderBy(name => name.EndsWith(",strict-match", StringComparison.Ordinal) ? 0 : 1)
                .ThenBy(name => name, StringComparer.Ordinal)
                .FirstOrDefault();
            if (metric is null || reported.Where(m => m.Metric == metric).All(m => m.Value == 0)) continue; // at the floor everywhere: it measures nothing
            var tasks = reported.Where(m => m.Metric == metric).Select(m => m.Task).Distinct().Order(StringComparer.Ordinal).ToList();
            return new MetricChoice(domain, metric, tasks, LowerIsBetter.Contains(family));
        }
        return null;
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

    /// <summary>The seed-averaged score of checkpoints repeating one run (different seeds), or null when none has it.</summary>
    public Estimate? ScoreOfRepeats(IEnumerable<ReportCheckpoint> repeats) =>
        repeats.Select(Score).OfType<Estimate>().ToList() is { Count: > 0 } scores ? Estimate.MeanOfRepeats(scores) : null;

    /// <summary>"exact_match,strict-match" belongs to the family "exact_match".</summary>
    private static string Family(string metric) => metric.Split(',')[0];
}
