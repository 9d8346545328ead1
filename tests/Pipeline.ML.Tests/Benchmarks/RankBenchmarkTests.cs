using Pipeline.ML.Spectral;
using static TorchSharp.torch;

using Pipeline.ML.Benchmarks;
using Pipeline.ML.Tests.Spectral;

namespace Pipeline.ML.Tests.Benchmarks;

public class RankBenchmarkTests
{
    [Fact]
    public void Times_a_synthetic_checkpoint()
    {
        using var scope = NewDisposeScope();
        var (baseWeights, finetuned) = RankBenchmark.SyntheticCheckpoint(layers: 1, hidden: 32, intermediate: 48);

        var result = RankBenchmark.Run(WeightPair.Pair(baseWeights, finetuned).ToList(), repeats: 1);

        Assert.Equal(7, result.Matrices);
        Assert.Equal("cpu", result.Device, ignoreCase: true);
        Assert.All(
            new[] { result.RawSvdvalsSeconds, result.ColdSeconds, result.WarmSeconds, result.ColdWithIntrudersSeconds, result.WarmWithIntrudersSeconds },
            s => Assert.True(s > 0));
        Assert.Equal(result.WarmSeconds / result.RawSvdvalsSeconds, result.WarmRatio);
    }

    [Fact]
    public void Synthetic_update_is_high_rank()
    {
        using var scope = NewDisposeScope();
        var (baseWeights, finetuned) = RankBenchmark.SyntheticCheckpoint(layers: 1, hidden: 128, intermediate: 192);
        using var analyzer = new SpectralAnalyzer();

        var spectra = analyzer.Analyze(WeightPair.Pair(baseWeights, finetuned).ToList(), SpectralOptions.Default with { Intruders = false });

        Assert.All(spectra, s => Assert.InRange(s.RankAt(0.9).Delta, 17, s.RankAt(0.9).Random));
    }
}
