namespace Pipeline.ML.Spectral;

/// <summary>Rank needed to explain <see cref="Threshold"/> of the variance, for ΔW, W_base and a same-shape Gaussian.</summary>
public sealed record VarianceRank(double Threshold, int Delta, int Base, int Random);

/// <summary>Top singular vectors of W_ft whose max |cos| with every left singular vector of W_base is below ε.</summary>
public sealed record IntruderCount(double Epsilon, int Count);

/// <summary>
/// The spectral analysis of one weight matrix's update ΔW (<see cref="Spectrum"/>: its singular values, descending,
/// fp32). <see cref="Intruders"/> is null when intruder analysis was off.
/// </summary>
public sealed record MatrixSpectrum(
    string Name,
    int Layer,
    string Module,
    int Rows,
    int Cols,
    IReadOnlyList<VarianceRank> Ranks,
    double StableRank,
    double EffectiveRank,
    double DeltaNorm,
    double RelativeNorm,
    IReadOnlyList<IntruderCount>? Intruders,
    float[] Spectrum)
{
    public VarianceRank RankAt(double threshold) =>
        Ranks.FirstOrDefault(r => r.Threshold == threshold)
        ?? throw new ArgumentException($"Matrix '{Name}' was not analysed at threshold {threshold}.", nameof(threshold));

    public int? IntrudersAt(double epsilon) => Intruders?.FirstOrDefault(i => i.Epsilon == epsilon)?.Count;
}
