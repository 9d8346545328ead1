namespace Pipeline.ML.Spectral;

/// <summary>What to measure for each matrix.</summary>
/// <param name="Thresholds">Fractions of Σσᵢ² the rank must explain; the paper reports 0.9.</param>
/// <param name="Intruders">Count intruder dimensions: needs full SVDs of W_ft and W_base, several times the cost of svdvals.</param>
/// <param name="IntruderEpsilons">Cosine thresholds ε below which a top vector of W_ft counts as an intruder.</param>
/// <param name="IntruderTopK">How many top left singular vectors of W_ft to test (Shuttleworth et al. and PEFT use 10).</param>
/// <param name="RandomSeed">Seed of the Gaussian reference matrix; the same seed gives the same matrix on every device.</param>
public sealed record SpectralOptions(
    IReadOnlyList<double> Thresholds,
    bool Intruders = true,
    IReadOnlyList<double>? IntruderEpsilons = null,
    int IntruderTopK = 10,
    long RandomSeed = 0)
{
    public static SpectralOptions Default { get; } = new([0.9]);

    public IReadOnlyList<double> Epsilons => IntruderEpsilons ?? [0.5, 0.6];

    public void Validate()
    {
        if (Thresholds.Count == 0)
            throw new ArgumentException("At least one variance threshold is required.", nameof(Thresholds));
        foreach (var t in Thresholds)
            if (!(t > 0 && t <= 1))
                throw new ArgumentException($"Variance threshold {t} must lie in (0, 1].", nameof(Thresholds));
        if (IntruderTopK < 1)
            throw new ArgumentException($"IntruderTopK must be positive, got {IntruderTopK}.", nameof(IntruderTopK));
    }
}
