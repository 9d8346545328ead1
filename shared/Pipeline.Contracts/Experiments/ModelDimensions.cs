using System.Text.Json;

namespace Pipeline.Contracts.Experiments;

/// <summary>The shapes a LoRA rank is bounded by: rank ≤ min(d_in, d_out) of every targeted projection.</summary>
public sealed record ModelDimensions(int HiddenSize, int IntermediateSize, int Layers, int Heads, int KeyValueHeads)
{
    public int HeadDim => HiddenSize / Heads;

    /// <summary>(d_out, d_in) of a projection, as in the Hugging Face Llama weight shapes.</summary>
    public (int Out, int In) Shape(string module) => module switch
    {
        "q_proj" or "o_proj" => (HiddenSize, HiddenSize),
        "k_proj" or "v_proj" => (KeyValueHeads * HeadDim, HiddenSize),
        "gate_proj" or "up_proj" => (IntermediateSize, HiddenSize),
        "down_proj" => (HiddenSize, IntermediateSize),
        _ => throw new ArgumentException($"Unknown module '{module}'.", nameof(module)),
    };

    public int MaxRank(IEnumerable<string> modules) =>
        modules.Select(Shape).Select(s => Math.Min(s.Out, s.In)).DefaultIfEmpty(0).Min();

    /// <summary>Reads the dimensions from a Hugging Face model directory's config.json.</summary>
    public static ModelDimensions FromHuggingFaceDirectory(string directory)
    {
        var path = System.IO.Path.Combine(directory, "config.json");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no config.json in the model directory.", path);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        int Read(string field, int? fallback = null)
        {
            if (root.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) && n > 0) return n;
            if (fallback is { } f && !root.TryGetProperty(field, out _)) return f;
            throw new InvalidDataException($"{path}: field '{field}' must be a positive integer.");
        }
        var heads = Read("num_attention_heads");
        var dims = new ModelDimensions(Read("hidden_size"), Read("intermediate_size"), Read("num_hidden_layers"), heads, Read("num_key_value_heads", heads));
        if (dims.HiddenSize % dims.Heads != 0) throw new InvalidDataException($"{path}: hidden_size {dims.HiddenSize} is not divisible by num_attention_heads {dims.Heads}.");
        return dims;
    }
}
