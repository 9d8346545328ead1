using static TorchSharp.torch;

namespace Pipeline.ML.Spectral;

/// <summary>
/// Intruder dimensions (Shuttleworth et al. 2024, "LoRA vs Full Fine-tuning: An Illusion of Equivalence"): top left
/// singular vectors of W_ft that no left singular vector of W_base resembles, i.e. max_j |⟨u_i^ft, u_j^base⟩| &lt; ε.
/// </summary>
internal static class IntruderDimensions
{
    /// <summary>Max |cos| of each of the top-k left singular vectors of <paramref name="finetuned"/> with the base's.</summary>
    public static float[] MaxBaseSimilarity(Tensor finetuned, Tensor baseLeftVectors, int topK, string name)
    {
        var (u, _) = SingularValues.WithLeftVectors(finetuned, name);
        var top = u.narrow(1, 0, Math.Min(topK, u.shape[1]));
        var cosines = baseLeftVectors.to(top.device).t().matmul(top).abs();   // (base vectors, k)
        return cosines.max(0).values.cpu().data<float>().ToArray();
    }

    public static IReadOnlyList<IntruderCount> Count(float[] maxSimilarity, IReadOnlyList<double> epsilons) =>
        epsilons.Select(e => new IntruderCount(e, maxSimilarity.Count(s => s < e))).ToList();
}
