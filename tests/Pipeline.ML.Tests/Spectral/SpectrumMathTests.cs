using Pipeline.ML.Spectral;

namespace Pipeline.ML.Tests.Spectral;

public class SpectrumMathTests
{
    // σ² = 50, 20, 10, 8, 5, 4, 2, 1 (total 100): cumulative 50, 70, 80, 88, 93, 97, 99, 100.
    private static readonly float[] Sigma = new[] { 50f, 20, 10, 8, 5, 4, 2, 1 }.Select(MathF.Sqrt).ToArray();

    [Theory]
    [InlineData(0.4, 1)]
    [InlineData(0.6, 2)]
    [InlineData(0.9, 5)]
    [InlineData(0.95, 6)]
    [InlineData(1.0, 8)]
    public void Rank_is_the_smallest_prefix_reaching_the_threshold(double threshold, int expected) =>
        Assert.Equal(expected, SpectrumMath.RankForVariance(Sigma, threshold));

    [Fact]
    public void Stable_rank_is_energy_over_the_top_singular_value_squared() =>
        Assert.Equal(2.0, SpectrumMath.StableRank(Sigma), 5);

    [Fact]
    public void Effective_rank_of_a_flat_spectrum_is_its_length_and_ignores_zeros() =>
        Assert.Equal(4.0, SpectrumMath.EffectiveRank([3f, 3f, 3f, 3f, 0f, 0f]), 10);

    [Fact]
    public void Effective_rank_follows_Roy_and_Vetterli()
    {
        // p = (0.5, 0.25, 0.25): H = 1.5 ln 2.
        Assert.Equal(Math.Exp(1.5 * Math.Log(2)), SpectrumMath.EffectiveRank([2f, 1f, 1f]), 10);
    }

    [Fact]
    public void Zero_spectrum_has_every_rank_zero()
    {
        float[] zeros = [0f, 0f, 0f];
        Assert.Equal(0, SpectrumMath.RankForVariance(zeros, 0.9));
        Assert.Equal(0, SpectrumMath.StableRank(zeros));
        Assert.Equal(0, SpectrumMath.EffectiveRank(zeros));
    }
}
