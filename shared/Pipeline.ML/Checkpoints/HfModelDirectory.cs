using System.Text.Json.Nodes;
using Pipeline.Data;
using Pipeline.Data.Tokenization;
using Pipeline.ML.Modeling;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.ML.Checkpoints;

/// <summary>
/// Hugging Face model directories: config.json plus model.safetensors, or shards listed in
/// model.safetensors.index.json. Any of fp32/fp16/bf16 loads into a model of any dtype; every key and shape is checked.
/// </summary>
public static class HfModelDirectory
{
    public const string ConfigFile = "config.json";
    public const string WeightsFile = "model.safetensors";
    public const string IndexFile = "model.safetensors.index.json";
    public const long DefaultMaxShardBytes = 5L << 30;

    public const string GenerationConfigFile = "generation_config.json";

    /// <summary>The tokenizer files a model directory may carry (byte-level BPE or SentencePiece, plus HF's configs).</summary>
    public static readonly IReadOnlyList<string> TokenizerFiles =
        [HuggingFaceTokenizerFile.TokenizerJson, "tokenizer.model", TokenizerConfig.FileName, "special_tokens_map.json", TokenizerConfig.ChatTemplateFile];

    /// <param name="adjust">Changes to training-only settings, e.g. hidden dropout for a regularization baseline.</param>
    public static LlamaForCausalLM Load(string directory, Device? device = null, ScalarType dtype = ScalarType.Float32,
        Func<LlamaConfig, LlamaConfig>? adjust = null)
    {
        var config = LlamaConfig.Load(Path.Combine(directory, ConfigFile));
        if (adjust is not null) config = adjust(config);
        var model = new LlamaForCausalLM(config, device);
        if (dtype != ScalarType.Float32) model.to(dtype);
        LoadWeights(model, directory);
        return model;
    }

    /// <summary>Copies the directory's weights into the model's base (non-adapter) parameters.</summary>
    public static void LoadWeights(LlamaForCausalLM model, string directory)
    {
        var targets = BaseParameters(model);
        var weights = ModelWeights.Open(directory);
        using var noGrad = no_grad();
        foreach (var name in weights.Names.Where(n => !IsDerived(n, model.Config)))
        {
            var (file, entry) = weights.Locate(name);
            if (!targets.TryGetValue(name, out var parameter))
                throw new InvalidDataException($"{file}: unexpected tensor '{name}' (not a Llama parameter)");
            if (!entry.Shape.SequenceEqual(parameter.shape))
                throw new InvalidDataException(
                    $"{file}: tensor '{name}' has shape [{string.Join(", ", entry.Shape)}] but {ConfigFile} implies [{string.Join(", ", parameter.shape)}]");
            StoredDType.RequireLoadable(file, name, entry.DType, parameter);
            using var source = weights.Read(name);
            parameter.copy_(source);
        }
        var missing = targets.Keys.Except(weights.Names).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException($"{directory}: missing {missing.Count} tensor(s): {string.Join(", ", missing.Take(5))}{(missing.Count > 5 ? ", ..." : "")}");
    }

    /// <summary>Writes config.json, the weights (sharded above <paramref name="maxShardBytes"/>) and generation_config.json atomically.</summary>
    public static void Save(LlamaForCausalLM model, string directory, ScalarType? dtype = null,
        long maxShardBytes = DefaultMaxShardBytes, string? tokenizerFrom = null)
    {
        var weights = BaseParameters(model);
        var saveType = dtype ?? weights.Values.First().dtype;
        AtomicFile.WriteDirectory(directory, temp =>
        {
            (model.Config with { TorchDtype = TorchDtypeName(saveType) }).Save(Path.Combine(temp, ConfigFile));
            WriteGenerationConfig(model.Config, Path.Combine(temp, GenerationConfigFile));
            WriteWeights(weights, saveType, temp, maxShardBytes);
            if (tokenizerFrom is not null) CopyTokenizer(tokenizerFrom, temp);
        });
    }

    /// <summary>HF parameter name → parameter, skipping adapter weights and unwrapping LoRA's base_layer.</summary>
    public static Dictionary<string, Parameter> BaseParameters(LlamaForCausalLM model) =>
        model.named_parameters()
            .Where(p => !p.name.Contains(".lora_"))
            .ToDictionary(p => p.name.Replace(".base_layer", ""), p => p.parameter);

    public static string TorchDtypeName(ScalarType type) => type switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.Float16 => "float16",
        ScalarType.BFloat16 => "bfloat16",
        _ => throw new ArgumentException($"unsupported model dtype {type}"),
    };

    /// <summary>Keys HF may store that this model recomputes: RoPE's inv_freq and a tied lm_head.</summary>
    private static bool IsDerived(string name, LlamaConfig config) =>
        name.EndsWith("rotary_emb.inv_freq") || (config.TieWordEmbeddings && name == "lm_head.weight");

    private static void WriteWeights(Dictionary<string, Parameter> weights, ScalarType dtype, string directory, long maxShardBytes)
    {
        var shards = Shard(weights, dtype, maxShardBytes);
        if (shards.Count == 1)
        {
            SaveShard(shards[0], dtype, Path.Combine(directory, WeightsFile));
            return;
        }
        var weightMap = new JsonObject();
        for (int i = 0; i < shards.Count; i++)
        {
            var name = $"model-{i + 1:D5}-of-{shards.Count:D5}.safetensors";
            SaveShard(shards[i], dtype, Path.Combine(directory, name));
            foreach (var key in shards[i].Keys.Order(StringComparer.Ordinal)) weightMap[key] = name;
        }
        long total = weights.Values.Sum(p => p.numel() * Safetensors.ElementSize(dtype));
        var index = new JsonObject { ["metadata"] = new JsonObject { ["total_size"] = total }, ["weight_map"] = weightMap };
        AtomicFile.WriteAllText(Path.Combine(directory, IndexFile), index.ToJsonString(new() { WriteIndented = true }));
    }

    private static List<Dictionary<string, Parameter>> Shard(Dictionary<string, Parameter> weights, ScalarType dtype, long maxShardBytes)
    {
        var shards = new List<Dictionary<string, Parameter>> { new() };
        long size = 0;
        foreach (var (name, parameter) in weights)
        {
            long bytes = parameter.numel() * Safetensors.ElementSize(dtype);
            if (size > 0 && size + bytes > maxShardBytes)
            {
                shards.Add(new());
                size = 0;
            }
            shards[^1][name] = parameter;
            size += bytes;
        }
        return shards;
    }

    private static void SaveShard(Dictionary<string, Parameter> shard, ScalarType dtype, string path)
    {
        using var scope = NewDisposeScope();
        Safetensors.Save(path, shard.ToDictionary(p => p.Key, p => p.Value.detach().to_type(dtype)));
    }

    private static void WriteGenerationConfig(LlamaConfig config, string path)
    {
        var json = new JsonObject
        {
            ["bos_token_id"] = config.BosTokenId,
            ["eos_token_id"] = config.EosTokenId,
            ["pad_token_id"] = config.PadTokenId,
            ["transformers_version"] = "4.46.0",
        };
        AtomicFile.WriteAllText(path, json.ToJsonString(new() { WriteIndented = true }));
    }

    private static void CopyTokenizer(string from, string to)
    {
        foreach (var name in TokenizerFiles.Where(name => File.Exists(Path.Combine(from, name))))
            File.Copy(Path.Combine(from, name), Path.Combine(to, name), overwrite: true);
    }
}
