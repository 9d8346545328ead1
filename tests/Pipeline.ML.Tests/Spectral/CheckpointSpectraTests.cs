using Pipeline.ML.Adapters;
using Pipeline.ML.Checkpoints;
using Pipeline.ML.Spectral;
using static TorchSharp.torch;

namespace Pipeline.ML.Tests.Spectral;

public class CheckpointSpectraTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_adapter_directory_and_its_merged_model_directory_give_the_same_spectra(bool dora)
    {
        var root = TinyModels.TempDirectory();
        using var model = TinyModels.Create(seed: 2);
        HfModelDirectory.Save(model, Path.Combine(root, "base"));
        var config = new LoraConfig { Rank = 3, Alpha = 6, UseDora = dora, TargetModules = ["all"] };
        Adapters.LoraTests.Perturb(LoraModel.Inject(model, config, seed: 1).Values);
        PeftAdapter.Save(model, config, Path.Combine(root, "adapter"));
        LoraModel.MergeAll(model);
        HfModelDirectory.Save(model, Path.Combine(root, "merged"));

        var options = new SpectralOptions([0.9], Intruders: false);
        using var analyzer = new SpectralAnalyzer();
        var fromAdapter = CheckpointSpectra.OfAdapter(analyzer, Path.Combine(root, "base"), Path.Combine(root, "adapter"), options, CPU);
        var fromMerged = CheckpointSpectra.OfModel(analyzer, Path.Combine(root, "base"), Path.Combine(root, "merged"), options, CPU);

        Assert.Equal(14, fromAdapter.Count); // 7 projections × 2 layers
        Assert.Equal(fromMerged.Select(s => s.Name), fromAdapter.Select(s => s.Name));
        foreach (var (a, m) in fromAdapter.Zip(fromMerged))
        {
            Assert.Equal(m.RankAt(0.9).Delta, a.RankAt(0.9).Delta);
            Assert.InRange(a.RankAt(0.9).Delta, 1, dora ? 32 : 3);
            Assert.Equal(m.Spectrum[0], a.Spectrum[0], 1e-4f * m.Spectrum[0]);
        }
    }
}
