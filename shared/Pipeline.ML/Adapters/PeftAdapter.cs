using System.Text.Json.Nodes;
using System.Text.Json;
using Pipeline.Data;
using Pipeline.Data.UserData;
using Pipeline.ML.Checkpoints;
using Pipeline.ML.Modeling;
using static TorchSharp.torch;

namespace Pipeline.ML.Adapters;

/// <summary>
/// PEFT adapter directories: adapter_config.json and adapter_model.safetensors with keys
/// base_model.model.{module}.lora_A.weight (r×in), .lora_B.weight (out×r) and, for DoRA, .lora_magnitude_vector.
/// </summary>
public static class PeftAdapter
{
    /// <summary>PEFT's LoraConfig default for an adapter_config.json that names no lora_alpha.</summary>
    public const double PeftDefaultAlpha = 8;

    public const string ConfigFile = "adapter_config.json";
    public const string WeightsFile = "adapter_model.safetensors";
    private const string KeyPrefix = "base_model.model.";

    public static void Save(LlamaForCausalLM model, LoraConfig config, string directory, string baseModelNameOrPath = "")
    {
        var adapters = LoraModel.Adapters(model);
        if (adapters.Count == 0) throw new InvalidOperationException("the model has no LoRA adapter to save");
        var merged = adapters.FirstOrDefault(pair => pair.Value.Merged).Key;
        if (merged is not null) throw new InvalidOperationException($"{merged}: unmerge the adapter before saving it");
        var tensors = AdapterTensors(adapters).ToDictionary(pair => pair.Key, pair => (Tensor)pair.Value);
        AtomicFile.WriteDirectory(directory, temp =>
        {
            AtomicFile.WriteAllText(Path.Combine(temp, ConfigFile), ConfigJson(config, baseModelNameOrPath, adapters.Keys));
            Safetensors.Save(Path.Combine(temp, WeightsFile), tensors);
        });
    }

    /// <summary>Injects the adapter described by the directory into the model and loads its weights.</summary>
    public static LoraConfig Load(LlamaForCausalLM model, string directory)
    {
        var config = ReadConfig(Path.Combine(directory, ConfigFile));
        var adapters = LoraModel.Inject(model, config);
        var file = Path.Combine(directory, WeightsFile);
        var weights = Safetensors.Load(file);
        try
        {
            var expected = AdapterTensors(adapters);
            foreach (var key in weights.Keys.Where(key => !expected.ContainsKey(key)))
                throw new InvalidDataException($"{file}: unexpected tensor '{key}' (no such adapter in a model with target_modules [{string.Join(", ", config.TargetModules)}])");
            using var noGrad = no_grad();
            foreach (var (key, parameter) in expected)
            {
                if (!weights.TryGetValue(key, out var tensor)) throw new InvalidDataException($"{file}: missing tensor '{key}'");
                if (!tensor.shape.SequenceEqual(parameter.shape))
                    throw new InvalidDataException($"{file}: tensor '{key}' has shape [{string.Join(", ", tensor.shape)}], expected [{string.Join(", ", parameter.shape)}] (r = {config.Rank})");
                StoredDType.RequireLoadable(file, key, tensor.dtype, parameter);
                parameter.copy_(tensor);
            }
        }
        finally
        {
            foreach (var tensor in weights.Values) tensor.Dispose();
        }
        return config;
    }

    public static LoraConfig ReadConfig(string path)
    {
        var json = JsonFile.ReadObject(path);
        var peftType = json["peft_type"]?.GetValue<string>();
        if (peftType != "LORA") throw new InvalidDataException($"{path}: peft_type '{peftType}' is not supported (expected LORA)");
        try
        {
            var config = new LoraConfig
            {
                Rank = json["r"]?.GetValue<int>() ?? throw new InvalidDataException($"{path}: missing 'r'"),
                Alpha = json["lora_alpha"]?.GetValue<double>() ?? PeftDefaultAlpha,
                TargetModules = ReadTargets(json["target_modules"], path),
                Dropout = json["lora_dropout"]?.GetValue<double>() ?? 0,
                UseRsLora = json["use_rslora"]?.GetValue<bool>() ?? false,
                UseDora = json["use_dora"]?.GetValue<bool>() ?? false,
                LoraPlusLrRatio = json["loraplus_lr_ratio"]?.GetValue<double>(),
            };
            config.Validate();
            return config;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    private static Dictionary<string, TorchSharp.Modules.Parameter> AdapterTensors(IReadOnlyDictionary<string, LoraLinear> adapters)
    {
        var expected = new Dictionary<string, TorchSharp.Modules.Parameter>();
        foreach (var (module, adapter) in adapters)
        {
            expected[$"{KeyPrefix}{module}.lora_A.weight"] = adapter.A;
            expected[$"{KeyPrefix}{module}.lora_B.weight"] = adapter.B;
            if (adapter.Magnitude is { } magnitude) expected[$"{KeyPrefix}{module}.lora_magnitude_vector"] = magnitude;
        }
        return expected;
    }

    private static IReadOnlyList<string> ReadTargets(JsonNode? node, string path) => node switch
    {
        JsonArray list => [.. list.Select(n => n!.GetValue<string>())],
        JsonValue value => [value.GetValue<string>()],
        _ => throw new InvalidDataException($"{path}: missing 'target_modules'"),
    };

    private static string ConfigJson(LoraConfig config, string baseModel, IEnumerable<string> modules)
    {
        var targets = modules.Select(m => m[(m.LastIndexOf('.') + 1)..]).Distinct().Order(StringComparer.Ordinal);
        var json = new JsonObject
        {
            ["peft_type"] = "LORA",
            ["task_type"] = "CAUSAL_LM",
            ["base_model_name_or_path"] = baseModel,
            ["r"] = config.Rank,
            ["lora_alpha"] = config.Alpha,
            ["lora_dropout"] = config.Dropout,
            ["target_modules"] = new JsonArray([.. targets.Select(t => (JsonNode)t)]),
            ["use_rslora"] = config.UseRsLora,
            ["use_dora"] = config.UseDora,
            ["bias"] = "none",
            ["fan_in_fan_out"] = false,
            ["init_lora_weights"] = true,
            ["inference_mode"] = true,
            ["modules_to_save"] = null,
            ["layers_to_transform"] = null,
            ["layers_pattern"] = null,
            ["rank_pattern"] = new JsonObject(),
            ["alpha_pattern"] = new JsonObject(),
            ["revision"] = null,
        };
        if (config.LoraPlusLrRatio is { } ratio) json["loraplus_lr_ratio"] = ratio;
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
