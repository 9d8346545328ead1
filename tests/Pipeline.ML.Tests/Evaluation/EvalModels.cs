using Pipeline.ML.Evaluation;
using Pipeline.ML.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.ML.Tests.Evaluation;

/// <summary>One token per character of a small alphabet, after BOS (0) and EOS (1).</summary>
public sealed class LetterCodec : ITextCodec
{
    public const string Alphabet = " abcdefghijklmnopqrstuvwxyz";

    public int BosId => 0;
    public int EosId => 1;
    public static int VocabSize => Alphabet.Length + 2;

    public int[] Encode(string text) => text.Select(c => Alphabet.IndexOf(c) is var i and >= 0
        ? i + 2 : throw new ArgumentException($"'{c}' is not in the alphabet")).ToArray();

    public string Decode(IEnumerable<int> ids) => new(ids.Where(id => id >= 2).Select(id => Alphabet[id - 2]).ToArray());
}

public static class EvalModels
{
    public static LlamaConfig Config(int maxPositions = 16) => new()
    {
        VocabSize = LetterCodec.VocabSize, HiddenSize = 32, IntermediateSize = 64, NumHiddenLayers = 2,
        NumAttentionHeads = 4, NumKeyValueHeads = 2, MaxPositionEmbeddings = maxPositions,
        InitializerRange = 0.3, // sharper next-token distributions than 0.02, so greedy choices are far from ties
    };

    public static LlamaForCausalLM Random(long seed, int maxPositions = 16)
    {
        var model = new LlamaForCausalLM(Config(maxPositions));
        model.InitializeWeights(seed);
        return model;
    }

    /// <summary>All weights zero: every logit is exactly 0, so each token has log p = −ln V.</summary>
    public static LlamaForCausalLM Uniform()
    {
        var model = new LlamaForCausalLM(Config());
        using var noGrad = no_grad();
        foreach (var (name, parameter) in model.named_parameters())
            if (!name.EndsWith("norm.weight")) parameter.zero_();
        return model;
    }

    /// <summary>
    /// Attention and MLP weights zero and embeddings all ones, so the final hidden state is the same for every input
    /// and the lm_head row of <paramref name="token"/> alone is non-zero: that token always wins.
    /// </summary>
    public static LlamaForCausalLM Preferring(int token)
    {
        var model = Uniform();
        using var noGrad = no_grad();
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        parameters["model.embed_tokens.weight"].fill_(1.0);
        parameters["lm_head.weight"][token].fill_(1.0);
        return model;
    }

    /// <summary>Independent reference: one unbatched forward, log_softmax in float64, (T, V).</summary>
    public static double[,] LogSoftmax(LlamaForCausalLM model, IReadOnlyList<int> inputs)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        model.eval();
        var ids = tensor(inputs.Select(i => (long)i).ToArray(), [1, inputs.Count]);
        var logProbs = model.Forward(ids, null)[0].to_type(ScalarType.Float64).log_softmax(-1);
        var values = logProbs.data<double>().ToArray();
        int vocab = (int)logProbs.shape[1];
        var result = new double[inputs.Count, vocab];
        for (int t = 0; t < inputs.Count; t++)
            for (int v = 0; v < vocab; v++) result[t, v] = values[t * vocab + v];
        return result;
    }

    /// <summary>Σ log p of tokens[t+1] at positions t in [from, to) of a single forward over tokens[..^1].</summary>
    public static double SumLogProb(LlamaForCausalLM model, IReadOnlyList<int> tokens, int from, int to)
    {
        var logProbs = LogSoftmax(model, tokens.Take(tokens.Count - 1).ToArray());
        double sum = 0;
        for (int t = from; t < to; t++) sum += logProbs[t, tokens[t + 1]];
        return sum;
    }
}
