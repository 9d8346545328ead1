using MathNet.Numerics.Distributions;

namespace Pipeline.Reporting.Scoring;

/// <summary>One training seed's difference between two checkpoints.</summary>
/// <param name="Items">The items behind it; null when unknown (an unpaired difference of aggregate metrics).</param>
/// <param name="Unpaired">Why the difference could not be paired by item; null when it is.</param>
public sealed record SeedDifference(double Value, double? StdErr, int? Items, int? Clusters, string? Unpaired, SignCounts? ItemSigns);

/// <summary>
/// A finding's effect: the mean over k training seeds of one difference per seed, with its error split into the part
/// from the evaluated items and the part from training (Bouthillier et al. 2021):
/// SE² = (mean per-seed evaluation variance)/k + (between-seed variance)/k, judged against Student t at k − 1 degrees
/// of freedom. With one seed, training noise is not measured: the evaluation SE alone is judged at 2 (≈ z at 97.5%).
/// </summary>
/// <param name="Items">Items (or matrices) behind each seed's difference; null when unknown.</param>
/// <param name="Design">How it was measured, e.g. "paired over 32 items", or why it is unpaired.</param>
/// <param name="Unit">What the measurement part of the SE is taken over: "items" evaluated, or "matrices" of ΔW.</param>
public sealed record Effect(
    double Value,
    double? ItemStdErr,
    double? SeedStdErr,
    int? Items,
    int Seeds,
    string Design,
    SignCounts? ItemSigns = null,
    SignCounts? SeedSigns = null,
    string Unit = "items")
{
    /// <summary>What the seed part leaves out, when it measures only part of the training noise; null otherwise.</summary>
    public string? SeedCaveat { get; init; }

    public const double OneSeedCritical = 2;
    private static readonly double NormalPower80 = Normal.InvCDF(0, 1, 0.8);

    public bool SeedNoiseMeasured => SeedStdErr is not null;

    public double? StdErr => ItemStdErr is { } items ? Math.Sqrt(items * items + Math.Pow(SeedStdErr ?? 0, 2)) : null;

    public int? DegreesOfFreedom => SeedNoiseMeasured && Seeds >= 2 ? Seeds - 1 : null;

    /// <summary>The multiple of SE a decided effect must exceed: two-sided 5%.</summary>
    public double Critical => DegreesOfFreedom is { } df ? StudentT.InvCDF(0, 1, df, 0.975) : OneSeedCritical;

    /// <summary>The smallest true effect this design detects with 80% power at the 5% level (Miller 2024, §5).</summary>
    public double? MinimumDetectable => StdErr * (Critical + (DegreesOfFreedom is { } df ? StudentT.InvCDF(0, 1, df, 0.8) : NormalPower80));

    public Estimate ToEstimate() => new(Value, StdErr);

    public override string ToString() => ToEstimate().ToString();

    public const string OneSeed = "one training seed: training noise not measured";
    public const string OneSideTrainedOnce = "one side trained with one seed: its training noise not measured";

    /// <summary>The SE's two parts, e.g. "items 0.003 · seeds 0.01", or why the seed part is not there.</summary>
    public string PartsText => $"{Unit} {Format(ItemStdErr)} · " + (SeedStdErr is { } s ? $"seeds {Estimate.Format(s)}"
        : Seeds == 1 ? $"seeds — ({OneSeed})" : $"seeds — ({Seeds} seeds pooled with the {Unit}: training noise not separated)");

    /// <summary>How much data is behind it, e.g. "paired over 32 items; 3 seeds (t, 2 df)".</summary>
    public string DesignText => $"{Design}; {Seeds} seed{(Seeds == 1 ? "" : "s")}" + (DegreesOfFreedom is { } df ? $" (Student t, {df} df)" : "")
        + (SeedCaveat is { } caveat ? $"; {caveat}" : "");

    /// <summary>How often items and seeds agree in sign with the effect, e.g. "items 32/32 · seeds 3/3".</summary>
    public string SignsText => string.Join(" · ", new[]
    {
        ItemSigns is { } i ? $"{Unit} {i.AgreeingWith(Value)}/{i.Total}" : null,
        SeedSigns is { } s ? $"seeds {s.AgreeingWith(Value)}/{s.Total}" : null,
    }.OfType<string>()) is { Length: > 0 } text ? text : "—";

    private static string Format(double? value) => value is { } v ? Estimate.Format(v) : "—";

    public static Effect OverSeeds(IReadOnlyList<SeedDifference> seeds)
    {
        if (seeds.Count == 0) throw new ArgumentException("an effect needs at least one seed", nameof(seeds));
        int k = seeds.Count;
        double mean = seeds.Average(s => s.Value);
        double? evaluationVariance = seeds.All(s => s.StdErr is not null) ? seeds.Average(s => s.StdErr!.Value * s.StdErr!.Value) : null;
        double? betweenSeeds = k < 2 ? null : seeds.Sum(s => (s.Value - mean) * (s.Value - mean)) / (k - 1);
        return new Effect(mean,
            evaluationVariance is { } v ? Math.Sqrt(v / k) : null,
            betweenSeeds is { } b ? Math.Sqrt(b / k) : null,
            seeds[0].Items,
            k,
            DesignOf(seeds),
            seeds.All(s => s.ItemSigns is not null) ? Pool(seeds.Select(s => s.ItemSigns!.Value)) : null,
            k < 2 ? null : SignCounts.Of(seeds.Select(s => s.Value)));
    }

    /// <summary>
    /// An effect measured over a sample of <paramref name="count"/> <paramref name="unit"/> (matrices of ΔW, say) pooled
    /// from <paramref name="seeds"/> training seeds, without separating the seeds.
    /// </summary>
    public static Effect Once(Estimate estimate, int count, string unit, string design, SignCounts? signs = null, int seeds = 1) =>
        new(estimate.Value, estimate.StdErr, null, count, seeds, design, signs, Unit: unit);

    /// <summary>The difference of effects measured in two independent studies: both error parts add in quadrature.</summary>
    public Effect MinusIndependent(Effect other) => new(Value - other.Value,
        Estimate.Quadrature(ItemStdErr, other.ItemStdErr),
        Estimate.Quadrature(SeedStdErr, other.SeedStdErr),
        null, Math.Min(Seeds, other.Seeds), "two independent studies");

    private static string DesignOf(IReadOnlyList<SeedDifference> seeds)
    {
        if (seeds.FirstOrDefault(s => s.Unpaired is not null) is { } unpaired) return $"unpaired: {unpaired.Unpaired}";
        var clusters = seeds[0].Clusters is { } c && c != seeds[0].Items ? $" in {c} clusters" : "";
        return $"paired over {seeds[0].Items} items{clusters}";
    }

    private static SignCounts Pool(IEnumerable<SignCounts> counts) =>
        counts.Aggregate(new SignCounts(0, 0, 0), (sum, c) => new(sum.Positive + c.Positive, sum.Negative + c.Negative, sum.Zero + c.Zero));
}
