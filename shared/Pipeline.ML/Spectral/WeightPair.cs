using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.ML.Spectral;

/// <summary>
/// One targeted weight matrix before and after finetuning. <see cref="Finetuned"/> is the full-FT weight or the merged
/// weight of an adapter (DoRA included), so ΔW = Finetuned − Base is exact for every method.
/// </summary>
public sealed record WeightPair(string Name, int Layer, string Module, Tensor Base, Tensor Finetuned)
{
    /// <summary>
    /// Pairs the 2-D q/k/v/o/gate/up/down projection weights of two Hugging Face Llama state dicts, in layer then
    /// module order. Every finetuned projection must have a base weight of the same shape.
    /// </summary>
    public static IEnumerable<WeightPair> Pair(
        IReadOnlyDictionary<string, Tensor> baseWeights, IReadOnlyDictionary<string, Tensor> finetunedWeights)
    {
        var projections = finetunedWeights.Keys
            .Select(key => (Key: key, Name: ProjectionName.TryParse(key)))
            .Where(p => p.Name is { Suffix: "weight" } && finetunedWeights[p.Key].dim() == 2)
            .OrderBy(p => p.Name!.Layer).ThenBy(p => p.Name!.ModuleOrder)
            .ToList();

        foreach (var (key, name) in projections)
        {
            var finetuned = finetunedWeights[key];
            if (!baseWeights.TryGetValue(key, out var baseWeight))
                throw new KeyNotFoundException($"Finetuned weight '{key}' has no counterpart in the base weights.");
            RequireSameShape(key, baseWeight, finetuned);
            yield return new WeightPair(key, name!.Layer, name.Module, baseWeight, finetuned);
        }
    }

    internal static void RequireSameShape(string key, Tensor baseWeight, Tensor finetuned)
    {
        if (!baseWeight.shape.SequenceEqual(finetuned.shape))
            throw new ArgumentException(
                $"Weight '{key}': base shape [{string.Join(", ", baseWeight.shape)}] differs from finetuned shape [{string.Join(", ", finetuned.shape)}].");
    }
}
