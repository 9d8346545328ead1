using Pipeline.ML.Benchmarks;
using Pipeline.ML.Spectral;
using static TorchSharp.torch;

namespace Pipeline.ML.Tests.Spectral;

public class ModuleSummaryTests
{
    [Fact]
    public void Summarizes_each_module_across_layers()
    {
        using var scope = NewDisposeScope();
        var (baseWeights, finetuned) = RankBenchmark.SyntheticCheckpoint(layers: 2, hidden: 32, intermediate: 48);
        using var analyzer = new SpectralAnalyzer();
        var spectra = analyzer.Analyze(WeightPair.Pair(baseWeights, finetuned).ToList(), new SpectralOptions([0.5, 0.9]));

        var summaries = ModuleSummary.Of(spectra);

        Assert.Equal(ProjectionName.Modules, summaries.Select(s => s.Module));
        var up = summaries.Single(s => s.Module == "up_proj");
        var upSpectra = spectra.Where(s => s.Module == "up_proj").ToList();
        Assert.Equal(2, up.Matrices);
        Assert.Equal(upSpectra.Average(s => s.RankAt(0.9).Delta), up.Ranks[1].Delta);
        Assert.Equal(upSpectra.Average(s => s.RankAt(0.5).Random), up.Ranks[0].Random);
        Assert.Equal(upSpectra.Average(s => s.RelativeNorm), up.RelativeNorm);
        Assert.Equal(upSpectra.Sum(s => s.IntrudersAt(0.5)), up.Intruders![0].Count);
    }
}
