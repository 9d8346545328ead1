using Pipeline.ML.Adapters;
using Pipeline.ML.Checkpoints;
using static TorchSharp.torch;

namespace Pipeline.ML.Spectral;

/// <summary>
/// The spectral analysis of saved checkpoints against their base, one matrix in memory at a time: a full-FT model
/// directory, or a PEFT adapter directory (LoRA and rsLoRA kept factored; DoRA through its exact merged weights).
/// </summary>
public static class CheckpointSpectra
{
    private const string AdapterPrefix = "base_model.model.";

    public static IReadOnlyList<MatrixSpectrum> OfModel(SpectralAnalyzer analyzer, string baseDirectory, string finetunedDirectory,
        SpectralOptions options, Device device, Action<int, int>? progress = null)
    {
        var baseWeights = ModelWeights.Open(baseDirectory);
        var finetuned = ModelWeights.Open(finetunedDirectory);
        var projections = Projections(finetuned.Names.Select(n => (n, ProjectionName.TryParse(n))).Where(p => p.Item2 is { Suffix: "weight" }));
        return Each(projections, progress, (name, projection) =>
        {
            using var scope = NewDisposeScope();
            var pair = new WeightPair(name, projection.Layer, projection.Module, baseWeights.Read(name).to(device), finetuned.Read(name).to(device));
            return analyzer.Analyze(pair, options);
        });
    }

    public static IReadOnlyList<MatrixSpectrum> OfAdapter(SpectralAnalyzer analyzer, string baseDirectory, string adapterDirectory,
        SpectralOptions options, Device device, Action<int, int>? progress = null)
    {
        var config = PeftAdapter.ReadConfig(Path.Combine(adapterDirectory, PeftAdapter.ConfigFile));
        var adapter = Safetensors.Load(Path.Combine(adapterDirectory, PeftAdapter.WeightsFile));
        var baseWeights = ModelWeights.Open(baseDirectory);
        try
        {
            var projections = Projections(adapter.Keys.Select(k => (k, ProjectionName.TryParse(k))).Where(p => p.Item2 is { Suffix: "lora_A.weight" }));
            return Each(projections, progress, (keyA, projection) =>
            {
                using var scope = NewDisposeScope();
                var name = $"{projection.Stem[AdapterPrefix.Length..]}.weight";
                var w = baseWeights.Read(name).to(ScalarType.Float32, device);
                var a = adapter[keyA].to(device);
                var b = adapter[$"{projection.Stem}.lora_B.weight"].to(device);
                if (!config.UseDora) return analyzer.Analyze(new LoraDelta(name, projection.Layer, projection.Module, w, a, b, config.Scaling), options);
                var magnitude = adapter[$"{projection.Stem}.lora_magnitude_vector"].to(device);
                var merged = LoraLinear.DoraMerge(w, matmul(b, a) * config.Scaling, magnitude);
                return analyzer.Analyze(new WeightPair(name, projection.Layer, projection.Module, w, merged), options);
            });
        }
        finally
        {
            foreach (var tensor in adapter.Values) tensor.Dispose();
        }
    }

    private static List<(string Key, ProjectionName Name)> Projections(IEnumerable<(string Key, ProjectionName? Name)> candidates) =>
        [.. candidates.Select(c => (c.Key, c.Name!)).OrderBy(c => c.Item2.Layer).ThenBy(c => c.Item2.ModuleOrder)];

    private static List<MatrixSpectrum> Each(List<(string Key, ProjectionName Name)> projections, Action<int, int>? progress,
        Func<string, ProjectionName, MatrixSpectrum> analyze)
    {
        var spectra = new List<MatrixSpectrum>(projections.Count);
        foreach (var (key, name) in projections)
        {
            spectra.Add(analyze(key, name));
            progress?.Invoke(spectra.Count, projections.Count);
        }
        return spectra;
    }
}
