using Pipeline.ML.Spectral;
using static TorchSharp.torch;

namespace Pipeline.ML.Tests.Spectral;

public class RandomReferenceTests
{
    [Theory]
    [InlineData(256, 256)]
    [InlineData(512, 256)]
    [InlineData(256, 1024)]
    public void Gaussian_rank90_matches_the_Marchenko_Pastur_expectation(int rows, int cols)
    {
        int n = Math.Min(rows, cols);
        double expected = n * MarchenkoPastur.RankFraction((double)n / Math.Max(rows, cols), 0.9);

        int rank = RandomRank(rows, cols, 0.9, seed: 0);

        Assert.InRange(rank, expected - 0.01 * n - 1, expected + 0.01 * n + 1);
    }

    [Fact]
    public void Marchenko_Pastur_fractions_are_sane()
    {
        // A square Gaussian needs about half its dimensions for 90% of the variance; wider aspect ratios need more.
        double square = MarchenkoPastur.RankFraction(1.0, 0.9);
        Assert.InRange(square, 0.45, 0.6);
        Assert.True(MarchenkoPastur.RankFraction(0.25, 0.9) > square);
        Assert.Equal(1.0, MarchenkoPastur.RankFraction(0.5, 1.0), 6);
    }

    [Fact]
    public void Reference_is_seeded_and_shared_by_both_orientations()
    {
        Assert.Equal(RandomRank(48, 96, 0.9, seed: 7), RandomRank(96, 48, 0.9, seed: 7));
        var spectra = Enumerable.Range(0, 2).Select(_ => RandomSpectrum(64, 64, seed: 3)).ToList();
        Assert.Equal(spectra[0], spectra[1]);
        Assert.NotEqual(spectra[0], RandomSpectrum(64, 64, seed: 4));
    }

    private static int RandomRank(int rows, int cols, double threshold, long seed)
    {
        using var scope = NewDisposeScope();
        using var analyzer = new SpectralAnalyzer();
        var result = analyzer.Analyze(
            new WeightPair("w", 0, "up", zeros(rows, cols), ones(rows, cols)),
            new SpectralOptions([threshold], Intruders: false, RandomSeed: seed));
        return result.RankAt(threshold).Random;
    }

    // The Gaussian's own spectrum is not exposed; a ΔW equal to the same seeded draw stands in for it.
    private static float[] RandomSpectrum(int rows, int cols, long seed)
    {
        using var scope = NewDisposeScope();
        var gaussian = randn(rows, cols, generator: new Generator((ulong)seed, CPU));
        return linalg.svdvals(gaussian).data<float>().ToArray();
    }
}

/// <summary>
/// The Marchenko–Pastur law for the squared singular values x of an m×n standard Gaussian divided by √m (m ≥ n,
/// λ = n/m): density √((b−x)(x−a)) / (2πλx) on [a, b] = [(1−√λ)², (1+√λ)²], mean 1.
/// </summary>
internal static class MarchenkoPastur
{
    /// <summary>
    /// Asymptotic rank / n needed to explain a fraction <paramref name="threshold"/> of Σσ²: the largest eigenvalues
    /// from the cut x_t up to b carry that share of the mean. With x = a + (b−a)(1 − cos θ)/2 the energy above the
    /// cut integrates in closed form and the mass is a smooth integral in θ.
    /// </summary>
    public static double RankFraction(double lambda, double threshold)
    {
        double a = Math.Pow(1 - Math.Sqrt(lambda), 2), b = Math.Pow(1 + Math.Sqrt(lambda), 2);
        double c = Math.Pow((b - a) / 2, 2) / (2 * Math.PI * lambda);
        double EnergyAbove(double theta) => c * ((Math.PI - theta) / 2 + Math.Sin(2 * theta) / 4);
        double X(double theta) => a + (b - a) * (1 - Math.Cos(theta)) / 2;

        double lo = 0, hi = Math.PI;   // EnergyAbove falls from 1 at θ = 0 to 0 at θ = π
        for (int i = 0; i < 100; i++)
        {
            double mid = (lo + hi) / 2;
            if (EnergyAbove(mid) >= threshold) lo = mid; else hi = mid;
        }
        return Simpson(theta => c * Math.Pow(Math.Sin(theta), 2) / X(theta), lo, Math.PI, 20_000);
    }

    private static double Simpson(Func<double, double> f, double from, double to, int intervals)
    {
        double h = (to - from) / intervals, sum = f(from) + f(to);
        for (int i = 1; i < intervals; i++) sum += f(from + i * h) * (i % 2 == 1 ? 4 : 2);
        return sum * h / 3;
    }
}
