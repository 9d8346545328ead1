using static TorchSharp.torch;

namespace Pipeline.ML.Spectral;

/// <summary>
/// A LoRA update ΔW = s·B·A of one base weight, kept factored: A is r×in (<c>lora_A</c>), B is out×r (<c>lora_B</c>)
/// and s the adapter's scaling (α/r, or α/√r with rsLoRA).
/// </summary>
public sealed record LoraDelta(string Name, int Layer, string Module, Tensor Base, Tensor A, Tensor B, double Scaling)
{
    private const string AdapterPrefix = "base_model.model.";

    public int Rank => (int)A.shape[0];

    /// <summary>
    /// Pairs the <c>lora_A</c>/<c>lora_B</c> weights of a saved PEFT adapter
    /// (<c>base_model.model.model.layers.{i}.self_attn.q_proj.lora_A.weight</c>) with the base weights they update.
    /// DoRA adapters are refused: their exact ΔW is the difference of the merged weights.
    /// </summary>
    public static IEnumerable<LoraDelta> Pair(
        IReadOnlyDictionary<string, Tensor> baseWeights, IReadOnlyDictionary<string, Tensor> adapterWeights, double scaling)
    {
        if (adapterWeights.Keys.FirstOrDefault(k => k.Contains(".lora_magnitude_vector")) is { } magnitude)
            throw new NotSupportedException(
                $"Adapter weight '{magnitude}' marks a DoRA adapter, whose ΔW is not s·B·A; analyse its merged weights as WeightPairs.");

        var projections = adapterWeights.Keys
            .Select(key => (Key: key, Name: ProjectionName.TryParse(key)))
            .Where(p => p.Name is { Suffix: "lora_A.weight" })
            .OrderBy(p => p.Name!.Layer).ThenBy(p => p.Name!.ModuleOrder)
            .ToList();

        foreach (var (keyA, name) in projections)
        {
            var keyB = $"{name!.Stem}.lora_B.weight";
            if (!adapterWeights.TryGetValue(keyB, out var b))
                throw new KeyNotFoundException($"Adapter weight '{keyA}' has no matching '{keyB}'.");
            var baseKey = $"{StripAdapterPrefix(name.Stem)}.weight";
            if (!baseWeights.TryGetValue(baseKey, out var baseWeight))
                throw new KeyNotFoundException($"Adapter weight '{keyA}' targets '{baseKey}', which the base weights lack.");
            var delta = new LoraDelta(baseKey, name.Layer, name.Module, baseWeight, adapterWeights[keyA], b, scaling);
            delta.Validate();
            yield return delta;
        }
    }

    internal void Validate()
    {
        if (Base.dim() != 2 || A.dim() != 2 || B.dim() != 2)
            throw new ArgumentException($"LoRA weight '{Name}': base, lora_A and lora_B must all be 2-D.");
        long outFeatures = Base.shape[0], inFeatures = Base.shape[1];
        if (A.shape[1] != inFeatures || B.shape[0] != outFeatures || B.shape[1] != A.shape[0])
            throw new ArgumentException(
                $"LoRA weight '{Name}': lora_A [{string.Join(", ", A.shape)}] and lora_B [{string.Join(", ", B.shape)}] " +
                $"do not factor a [{outFeatures}, {inFeatures}] update (expected A r×{inFeatures}, B {outFeatures}×r).");
    }

    private static string StripAdapterPrefix(string stem) =>
        stem.StartsWith(AdapterPrefix, StringComparison.Ordinal) ? stem[AdapterPrefix.Length..] : stem;
}
