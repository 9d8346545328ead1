using Pipeline.Contracts.Reports;
namespace Pipeline.Reporting.Scoring;

/// <summary>
/// The difference between two models' scores as a finding states it: one difference per training seed, paired item
/// by item wherever both checkpoints kept per-sample records of the same items, else unpaired (standard errors in
/// quadrature, which overstates the noise: the spread between items is counted twice instead of cancelling).
/// </summary>
public static class Comparison
{
    /// <param name="a">The checkpoints (one per seed) of one model at one point; <paramref name="b"/> the same for the other.</param>
    /// <returns>a − b over the seeds they pair on, or null when no pair has the metric.</returns>
    public static Effect? Difference(MetricChoice metric, IReadOnlyList<ReportCheckpoint> a, IReadOnlyList<ReportCheckpoint> b,
        Func<ReportCheckpoint, int> seedOf)
    {
        var perSeed = SeedPairs(a, b, seedOf).Select(p => Difference(metric, p.A, p.B)).OfType<SeedDifference>().ToList();
        if (perSeed.Count == 0) return null;
        var effect = Effect.OverSeeds(perSeed);
        return TrainedOnce(a, b) || TrainedOnce(b, a) ? effect with { SeedCaveat = Effect.OneSideTrainedOnce } : effect;
    }

    /// <summary>A one-seed trained model against a several-seed one: the seed part measures the other side's noise only.</summary>
    private static bool TrainedOnce(IReadOnlyList<ReportCheckpoint> side, IReadOnlyList<ReportCheckpoint> other) =>
        side is [{ IsBase: false }] && other.Count > 1;

    public static SeedDifference? Difference(MetricChoice metric, ReportCheckpoint a, ReportCheckpoint b)
    {
        var (itemsA, itemsB) = (metric.ScoreItems(a), metric.ScoreItems(b));
        if (itemsA is not null && itemsB is not null && itemsA.HasSameItems(itemsB))
        {
            var paired = itemsA.Minus(itemsB);
            return new SeedDifference(paired.Value, paired.StdErr, paired.Items.Count, paired.ClusterCount, null, paired.Signs);
        }
        if (metric.Score(a) is not { } scoreA || metric.Score(b) is not { } scoreB) return null;
        var unpaired = scoreA - scoreB;
        return new SeedDifference(unpaired.Value, unpaired.StdErr, null, null, WhyUnpaired(a, b, itemsA, itemsB), null);
    }

    private static string WhyUnpaired(ReportCheckpoint a, ReportCheckpoint b, ItemScore? itemsA, ItemScore? itemsB)
    {
        if (a.Samples.Count == 0 || b.Samples.Count == 0) return "no per-sample records";
        if (itemsA is null || itemsB is null) return "the metric has no per-item values";
        return "the checkpoints were scored on different items";
    }

    /// <summary>
    /// Checkpoints of the same seed pair up (same data order, same initialisation of what both train). A side with a
    /// single checkpoint (the base model, a one-seed baseline) pairs with every seed of the other; otherwise seeds that
    /// only one side has are left out, and two sides with no seed in common pair in seed order.
    /// </summary>
    public static IEnumerable<(ReportCheckpoint A, ReportCheckpoint B)> SeedPairs(IReadOnlyList<ReportCheckpoint> a, IReadOnlyList<ReportCheckpoint> b,
        Func<ReportCheckpoint, int> seedOf)
    {
        if (a.Count == 1) return b.Select(y => (a[0], y));
        if (b.Count == 1) return a.Select(x => (x, b[0]));
        var bySeed = b.ToDictionary(seedOf);
        var shared = a.Where(x => bySeed.ContainsKey(seedOf(x))).OrderBy(seedOf).Select(x => (x, bySeed[seedOf(x)])).ToList();
        return shared.Count > 0 ? shared : a.OrderBy(seedOf).Zip(b.OrderBy(seedOf));
    }
}
