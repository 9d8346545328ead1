namespace Pipeline.ML.Modeling;

/// <summary>
/// Named sizes for the built-in base models, from a CI-sized one, through the mini one the quickstart trains in minutes, to the tiny one (d=256) of the study presets.
/// SwiGLU's intermediate size follows Llama's rule: 8d/3 rounded up to a multiple of 16.
/// </summary>
public static class ModelPresets
{
    public static readonly IReadOnlyDictionary<string, LlamaConfig> All = new Dictionary<string, LlamaConfig>
    {
        ["ci"] = Make(layers: 2, dim: 32, heads: 4, kvHeads: 2, context: 64, vocab: 512),
        ["mini"] = Make(layers: 4, dim: 128, heads: 4, kvHeads: 4, context: 128, vocab: 4096),
        ["tiny"] = Make(layers: 4, dim: 256, heads: 4, kvHeads: 4, context: 256, vocab: 4096),
        ["small"] = Make(layers: 8, dim: 512, heads: 8, kvHeads: 8, context: 512, vocab: 4096),
        ["base"] = Make(layers: 12, dim: 768, heads: 12, kvHeads: 4, context: 1024, vocab: 4096),
    };

    public static LlamaConfig Get(string name, int? vocabSize = null)
    {
        if (!All.TryGetValue(name, out var config))
            throw new ArgumentException($"unknown model preset '{name}' (known: {string.Join(", ", All.Keys)})");
        return vocabSize is { } vocab ? config with { VocabSize = vocab } : config;
    }

    private static LlamaConfig Make(int layers, int dim, int heads, int kvHeads, int context, int vocab) => new()
    {
        NumHiddenLayers = layers, HiddenSize = dim, NumAttentionHeads = heads, NumKeyValueHeads = kvHeads,
        IntermediateSize = (8 * dim / 3 + 15) / 16 * 16, MaxPositionEmbeddings = context, VocabSize = vocab,
    };
}
