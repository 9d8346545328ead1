using System.Text.Json.Nodes;
using System.Text.Json;
using Pipeline.Data;
using Pipeline.Data.UserData;

namespace Pipeline.ML.Modeling;

/// <summary>
/// The Hugging Face <c>LlamaConfig</c> fields this project uses, with the same names in config.json.
/// </summary>
public sealed record LlamaConfig
{
    public int VocabSize { get; init; } = 4096;
    public int HiddenSize { get; init; } = 256;
    public int IntermediateSize { get; init; } = 688;
    public int NumHiddenLayers { get; init; } = 4;
    public int NumAttentionHeads { get; init; } = 4;
    public int NumKeyValueHeads { get; init; } = 4;
    public int MaxPositionEmbeddings { get; init; } = 256;
    public double RmsNormEps { get; init; } = 1e-5;
    public double RopeTheta { get; init; } = 10000.0;
    public bool TieWordEmbeddings { get; init; }
    public double InitializerRange { get; init; } = 0.02;
    public int BosTokenId { get; init; }
    public int EosTokenId { get; init; } = 1;
    public int? PadTokenId { get; init; } = 2;
    public string TorchDtype { get; init; } = "float32";

    /// <summary>
    /// Dropout on each sublayer's output before the residual add. Not a Llama key (HF ignores it); the
    /// regularization baseline of the paper needs it. Zero by default, as in Llama.
    /// </summary>
    public double HiddenDropout { get; init; }

    /// <summary>Llama 3.x's rope_scaling ("llama3" or "linear"); null for plain RoPE.</summary>
    public RopeScaling? RopeScaling { get; init; }

    /// <summary>HF lets configs set head_dim explicitly; otherwise it is hidden_size / num_attention_heads.</summary>
    public int? ExplicitHeadDim { get; init; }

    public int HeadDim => ExplicitHeadDim ?? HiddenSize / NumAttentionHeads;

    /// <summary>Parameters of the model, counting a tied lm_head once.</summary>
    public long ParameterCount
    {
        get
        {
            long d = HiddenSize, kv = (long)NumKeyValueHeads * HeadDim, q = (long)NumAttentionHeads * HeadDim;
            long attention = d * q * 2 + d * kv * 2;
            long mlp = 3 * d * IntermediateSize;
            long layer = attention + mlp + 2 * d;
            long embeddings = (long)VocabSize * d * (TieWordEmbeddings ? 1 : 2);
            return NumHiddenLayers * layer + embeddings + d;
        }
    }

    /// <summary>Throws with every inconsistency named, prefixed by <paramref name="source"/> (e.g. a file path).</summary>
    public void Validate(string source = "config")
    {
        var errors = new List<string>();
        void Positive(string key, long value) { if (value <= 0) errors.Add($"{key} must be positive (got {value})"); }
        Positive("vocab_size", VocabSize);
        Positive("hidden_size", HiddenSize);
        Positive("intermediate_size", IntermediateSize);
        Positive("num_hidden_layers", NumHiddenLayers);
        Positive("num_attention_heads", NumAttentionHeads);
        Positive("num_key_value_heads", NumKeyValueHeads);
        Positive("max_position_embeddings", MaxPositionEmbeddings);
        if (NumAttentionHeads > 0 && ExplicitHeadDim is null && HiddenSize % NumAttentionHeads != 0)
            errors.Add($"num_attention_heads ({NumAttentionHeads}) must divide hidden_size ({HiddenSize})");
        if (NumKeyValueHeads > 0 && NumAttentionHeads % NumKeyValueHeads != 0)
            errors.Add($"num_key_value_heads ({NumKeyValueHeads}) must divide num_attention_heads ({NumAttentionHeads})");
        if (NumAttentionHeads > 0 && HeadDim % 2 != 0)
            errors.Add($"head_dim ({HeadDim}) must be even for rotary embeddings");
        if (!(RmsNormEps > 0)) errors.Add($"rms_norm_eps must be positive (got {RmsNormEps})");
        if (!(RopeTheta > 0)) errors.Add($"rope_theta must be positive (got {RopeTheta})");
        if (!(HiddenDropout >= 0 && HiddenDropout < 1)) errors.Add($"hidden_dropout must be in [0, 1) (got {HiddenDropout})");
        if (errors.Count > 0) throw new InvalidDataException($"{source}: {string.Join("; ", errors)}");
    }

    public static LlamaConfig Load(string path)
    {
        var config = FromJson(JsonFile.ReadObject(path), path);
        config.Validate(path);
        return config;
    }

    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

    static LlamaConfig FromJson(JsonObject json, string path)
    {
        var reader = new ConfigReader(json, path);
        reader.RequireSupported("hidden_act", "silu");
        if (json["attention_bias"]?.GetValue<bool>() == true || json["mlp_bias"]?.GetValue<bool>() == true)
            throw new InvalidDataException($"{path}: attention_bias/mlp_bias are not supported (Llama has no biases)");
        int heads = reader.Int("num_attention_heads"), hidden = reader.Int("hidden_size");
        int? headDim = reader.OptionalInt("head_dim");
        return new LlamaConfig
        {
            VocabSize = reader.Int("vocab_size"),
            HiddenSize = hidden,
            IntermediateSize = reader.Int("intermediate_size"),
            NumHiddenLayers = reader.Int("num_hidden_layers"),
            NumAttentionHeads = heads,
            NumKeyValueHeads = reader.OptionalInt("num_key_value_heads") ?? heads,
            MaxPositionEmbeddings = reader.OptionalInt("max_position_embeddings") ?? 2048,
            RmsNormEps = reader.OptionalDouble("rms_norm_eps") ?? 1e-6,
            RopeTheta = reader.OptionalDouble("rope_theta") ?? 10000.0,
            TieWordEmbeddings = json["tie_word_embeddings"]?.GetValue<bool>() ?? false,
            InitializerRange = reader.OptionalDouble("initializer_range") ?? 0.02,
            BosTokenId = reader.FirstTokenId("bos_token_id") ?? 1,
            EosTokenId = reader.FirstTokenId("eos_token_id") ?? 2,
            PadTokenId = reader.FirstTokenId("pad_token_id"),
            TorchDtype = json["torch_dtype"]?.GetValue<string>() ?? "float32",
            HiddenDropout = reader.OptionalDouble("hidden_dropout") ?? 0.0,
            RopeScaling = json["rope_scaling"] is JsonObject scaling ? RopeScaling.FromJson(scaling, path) : null,
            ExplicitHeadDim = heads > 0 && headDim == hidden / heads ? null : headDim,
        };
    }

    JsonObject ToJson() => new()
    {
        ["architectures"] = new JsonArray("LlamaForCausalLM"),
        ["model_type"] = "llama",
        ["vocab_size"] = VocabSize,
        ["hidden_size"] = HiddenSize,
        ["intermediate_size"] = IntermediateSize,
        ["num_hidden_layers"] = NumHiddenLayers,
        ["num_attention_heads"] = NumAttentionHeads,
        ["num_key_value_heads"] = NumKeyValueHeads,
        ["head_dim"] = HeadDim,
        ["max_position_embeddings"] = MaxPositionEmbeddings,
        ["hidden_act"] = "silu",
        ["rms_norm_eps"] = RmsNormEps,
        ["rope_theta"] = RopeTheta,
        ["rope_scaling"] = RopeScaling?.ToJson(),
        ["attention_bias"] = false,
        ["attention_dropout"] = 0.0,
        ["mlp_bias"] = false,
        ["pretraining_tp"] = 1,
        ["tie_word_embeddings"] = TieWordEmbeddings,
        ["initializer_range"] = InitializerRange,
        ["bos_token_id"] = BosTokenId,
        ["eos_token_id"] = EosTokenId,
        ["pad_token_id"] = PadTokenId,
        ["torch_dtype"] = TorchDtype,
        ["use_cache"] = true,
        ["hidden_dropout"] = HiddenDropout,
        ["transformers_version"] = "4.46.0",
    };

    /// <summary>Typed reads from config.json whose errors name the file and key.</summary>
    sealed class ConfigReader(JsonObject json, string path)
    {
        public int Int(string key) => OptionalInt(key) ?? throw new InvalidDataException($"{path}: missing required key '{key}'");

        public int? OptionalInt(string key) => json[key] is { } node ? Parse(key, node, AsInt) : null;

        public double? OptionalDouble(string key) => json[key] is { } node ? Parse(key, node, n => n.GetValue<double>()) : null;

        /// <summary>Llama 3 configs list several EOS ids; the first is the one generation stops at by default.</summary>
        public int? FirstTokenId(string key) => json[key] is JsonArray list
            ? list.Count == 0 ? null : Parse(key, list[0]!, AsInt)
            : OptionalInt(key);

        public void RequireSupported(string key, string expected)
        {
            var value = json[key]?.GetValue<string>();
            if (value is not null && value != expected) throw new InvalidDataException($"{path}: {key} '{value}' is not supported (expected '{expected}')");
        }

        static int AsInt(JsonNode node) => checked((int)node.GetValue<long>());

        T Parse<T>(string key, JsonNode node, Func<JsonNode, T> read)
        {
            try { return read(node); }
            catch (Exception e) when (e is FormatException or InvalidOperationException or OverflowException)
            {
                throw new InvalidDataException($"{path}: '{key}' has an invalid value {node.ToJsonString()}", e);
            }
        }
    }
}

/// <summary>
/// HF's rope_scaling: "linear" divides every inverse frequency by the factor; "llama3" (Llama 3.1+) divides only the
/// low frequencies and blends the band between low_freq_factor and high_freq_factor.
/// </summary>
public sealed record RopeScaling(string RopeType, double Factor, double LowFreqFactor = 1, double HighFreqFactor = 4,
    int OriginalMaxPositionEmbeddings = 8192)
{
    public double[] Apply(double[] inverseFrequencies) => RopeType switch
    {
        "linear" => [.. inverseFrequencies.Select(f => f / Factor)],
        _ => [.. inverseFrequencies.Select(Llama3)],
    };

    private double Llama3(double frequency)
    {
        double wavelength = 2 * Math.PI / frequency;
        double lowFrequencyWavelength = OriginalMaxPositionEmbeddings / LowFreqFactor;
        double highFrequencyWavelength = OriginalMaxPositionEmbeddings / HighFreqFactor;
        if (wavelength < highFrequencyWavelength) return frequency;
        if (wavelength > lowFrequencyWavelength) return frequency / Factor;
        double smooth = (OriginalMaxPositionEmbeddings / wavelength - LowFreqFactor) / (HighFreqFactor - LowFreqFactor);
        return (1 - smooth) * frequency / Factor + smooth * frequency;
    }

    internal static RopeScaling FromJson(JsonObject json, string path)
    {
        var type = (json["rope_type"] ?? json["type"])?.GetValue<string>();
        if (type is not ("linear" or "llama3"))
            throw new InvalidDataException($"{path}: rope_scaling type '{type}' is not supported (linear and llama3 are)");
        double Number(string key, double fallback) => json[key]?.GetValue<double>() ?? fallback;
        return new RopeScaling(type, Number("factor", 1), Number("low_freq_factor", 1), Number("high_freq_factor", 4),
            (int)Number("original_max_position_embeddings", 8192));
    }

    internal JsonObject ToJson() => RopeType == "linear"
        ? new() { ["rope_type"] = RopeType, ["factor"] = Factor }
        : new()
        {
            ["rope_type"] = RopeType, ["factor"] = Factor, ["low_freq_factor"] = LowFreqFactor,
            ["high_freq_factor"] = HighFreqFactor, ["original_max_position_embeddings"] = OriginalMaxPositionEmbeddings,
        };
}
