using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pipeline.Data.Tokenization;

/// <summary>Writes a trained model as a Hugging Face model folder's tokenizer files: `tokenizer.json` (BPE model with
/// byte-level pre-tokenizer and decoder, special tokens as added_tokens) and `tokenizer_config.json`.</summary>
public static class HuggingFaceTokenizerFile
{
    public const string TokenizerJson = "tokenizer.json";
    public const string TokenizerConfigJson = "tokenizer_config.json";

    public static void Save(BpeModel model, string directory, int modelMaxLength = 2048)
    {
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllText(Path.Combine(directory, TokenizerJson), TokenizerDocument(model).ToJsonString(DataJson.Indented) + "\n");
        AtomicFile.WriteAllText(Path.Combine(directory, TokenizerConfigJson), ConfigDocument(modelMaxLength).ToJsonString(DataJson.Indented) + "\n");
    }

    private static JsonObject TokenizerDocument(BpeModel model)
    {
        var vocab = new JsonObject();
        for (var id = 0; id < model.Tokens.Count; id++) vocab[model.Tokens[id]] = id;
        var merges = new JsonArray(model.Merges.Select(m => (JsonNode)$"{model.Tokens[m.Left]} {model.Tokens[m.Right]}").ToArray());
        var byteLevel = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = true };
        return new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new JsonArray(SpecialTokens.All.Select((t, id) => (JsonNode)AddedToken(id, t)).ToArray()),
            ["normalizer"] = null,
            ["pre_tokenizer"] = byteLevel.DeepClone(),
            ["post_processor"] = null,
            ["decoder"] = byteLevel.DeepClone(),
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["dropout"] = null,
                ["unk_token"] = null,
                ["continuing_subword_prefix"] = null,
                ["end_of_word_suffix"] = null,
                ["fuse_unk"] = false,
                ["byte_fallback"] = false,
                ["ignore_merges"] = false,
                ["vocab"] = vocab,
                ["merges"] = merges,
            },
        };
    }

    private static JsonObject AddedToken(int id, string content) => new()
    {
        ["id"] = id, ["content"] = content, ["single_word"] = false, ["lstrip"] = false,
        ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
    };

    private static JsonObject ConfigDocument(int modelMaxLength) => new()
    {
        ["tokenizer_class"] = "PreTrainedTokenizerFast",
        ["bos_token"] = SpecialTokens.Bos,
        ["eos_token"] = SpecialTokens.Eos,
        ["pad_token"] = SpecialTokens.Pad,
        ["add_bos_token"] = false,
        ["add_eos_token"] = false,
        ["clean_up_tokenization_spaces"] = false,
        ["model_max_length"] = modelMaxLength,
    };
}
