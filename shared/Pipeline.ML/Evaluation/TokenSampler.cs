using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.ML.Evaluation;

/// <summary>Next-token choice from (B, V) logits: argmax at temperature 0, else HF's temperature and top-p warpers then a multinomial draw.</summary>
public static class TokenSampler
{
    public static Tensor Next(Tensor logits, double temperature, double topP, torch.Generator? generator)
    {
        if (temperature <= 0) return logits.argmax(-1);
        using var scope = NewDisposeScope();
        var scores = logits.to_type(ScalarType.Float32) / temperature;
        if (topP < 1) scores = TopP(scores, topP);
        return multinomial(scores.softmax(-1), 1, generator: generator).squeeze(-1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// HF's TopPLogitsWarper: drop the least likely tokens whose cumulative probability stays within 1 − top_p,
    /// always keeping the most likely one.
    /// </summary>
    public static Tensor TopP(Tensor scores, double topP)
    {
        using var scope = NewDisposeScope();
        var (sorted, indices) = scores.sort(-1, descending: false);
        var remove = sorted.softmax(-1).cumsum(-1) <= 1 - topP;
        remove.narrow(-1, remove.shape[^1] - 1, 1).fill_(false);
        var removeByToken = remove.scatter(-1, indices, remove);
        return scores.masked_fill(removeByToken, float.NegativeInfinity).MoveToOuterDisposeScope();
    }
}
