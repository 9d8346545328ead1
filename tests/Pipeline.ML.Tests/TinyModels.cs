using Pipeline.ML.Modeling;
using static TorchSharp.torch;

namespace Pipeline.ML.Tests;

/// <summary>CI-sized Llamas: 2 layers, d=32, grouped-query attention (4 heads sharing 2 KV heads).</summary>
internal static class TinyModels
{
    public static readonly LlamaConfig Config = new()
    {
        VocabSize = 64, HiddenSize = 32, IntermediateSize = 64, NumHiddenLayers = 2,
        NumAttentionHeads = 4, NumKeyValueHeads = 2, MaxPositionEmbeddings = 32,
    };

    public static LlamaForCausalLM Create(long seed = 1, LlamaConfig? config = null)
    {
        var model = new LlamaForCausalLM(config ?? Config);
        model.InitializeWeights(seed);
        model.eval();
        return model;
    }

    public static Tensor RandomIds(long batch, long length, long seed = 7, int vocab = 64) =>
        randint(0, vocab, [batch, length], ScalarType.Int64, generator: new Generator((ulong)seed));

    /// <summary>Same shape and bitwise-equal values.</summary>
    public static bool BitEqual(this Tensor a, Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    public static string TempDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "pipeline-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
