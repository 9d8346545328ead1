namespace Pipeline.ML.Spectral;

/// <summary>Rank measures of a spectrum σ₁ ≥ σ₂ ≥ … ≥ 0, accumulated in fp64. An all-zero spectrum has every rank 0.</summary>
public static class SpectrumMath
{
    /// <summary>Smallest k with Σ_{i≤k} σᵢ² ≥ t·Σσᵢ².</summary>
    public static int RankForVariance(ReadOnlySpan<float> sigma, double threshold)
    {
        double target = threshold * Energy(sigma), cumulative = 0;
        if (target == 0) return 0;
        for (int k = 0; k < sigma.Length; k++)
        {
            cumulative += (double)sigma[k] * sigma[k];
            if (cumulative >= target) return k + 1;
        }
        return sigma.Length;
    }

    /// <summary>Σσᵢ² = ‖M‖_F².</summary>
    public static double Energy(ReadOnlySpan<float> sigma)
    {
        double sum = 0;
        foreach (var s in sigma) sum += (double)s * s;
        return sum;
    }

    /// <summary>‖M‖_F² / σ₁².</summary>
    public static double StableRank(ReadOnlySpan<float> sigma) =>
        sigma.Length == 0 || sigma[0] == 0 ? 0 : Energy(sigma) / ((double)sigma[0] * sigma[0]);

    /// <summary>Roy &amp; Vetterli (2007): exp(−Σ pᵢ ln pᵢ) with pᵢ = σᵢ / Σσⱼ.</summary>
    public static double EffectiveRank(ReadOnlySpan<float> sigma)
    {
        double l1 = 0;
        foreach (var s in sigma) l1 += s;
        if (l1 == 0) return 0;
        double entropy = 0;
        foreach (var s in sigma)
        {
            if (s <= 0) continue;
            double p = s / l1;
            entropy -= p * Math.Log(p);
        }
        return Math.Exp(entropy);
    }
}
