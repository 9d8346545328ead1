using System.Text.Json.Nodes;

namespace Pipeline.Data.Tests.HuggingFace;

/// <summary>Small tokenizer.json files of the model types the real files here do not cover.</summary>
public static class CraftedTokenizers
{
    private static readonly string[] Words = ["the", "cat", "sat", "on", "mat", "hello", "world", "def", "return", "x", "1", "2", "3"];
    private static readonly string[] Pieces = ["at", "he", "ll", "o", "s", "c", "m", "t", "e", "r", "n", "u", "d", "f", "w", "l", "a", "h", "i", "y", "p"];

    public static JsonObject WordPiece()
    {
        string[] specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"];
        var vocab = new JsonObject();
        foreach (var token in specials.Concat(Words).Concat(Pieces).Concat(Pieces.Select(p => "##" + p)).Concat([".", ",", "!", "(", ")", ":"]).Distinct())
            vocab[token] = vocab.Count;
        return new JsonObject
        {
            ["version"] = "1.0", ["truncation"] = null, ["padding"] = null,
            ["added_tokens"] = AddedTokens(specials),
            ["normalizer"] = new JsonObject { ["type"] = "BertNormalizer", ["clean_text"] = true, ["handle_chinese_chars"] = true, ["strip_accents"] = null, ["lowercase"] = true },
            ["pre_tokenizer"] = new JsonObject { ["type"] = "BertPreTokenizer" },
            ["post_processor"] = new JsonObject
            {
                ["type"] = "BertProcessing", ["sep"] = new JsonArray("[SEP]", 3), ["cls"] = new JsonArray("[CLS]", 2),
            },
            ["decoder"] = new JsonObject { ["type"] = "WordPiece", ["prefix"] = "##", ["cleanup"] = true },
            ["model"] = new JsonObject
            {
                ["type"] = "WordPiece", ["unk_token"] = "[UNK]", ["continuing_subword_prefix"] = "##", ["max_input_chars_per_word"] = 100, ["vocab"] = vocab,
            },
        };
    }

    public static JsonObject Unigram()
    {
        string[] specials = ["<unk>", "<s>", "</s>"];
        var vocab = new JsonArray(specials.Select(s => (JsonNode)new JsonArray(s, 0.0)).ToArray());
        var score = -1.0;
        foreach (var piece in Words.Select(w => "▁" + w).Concat(Pieces).Concat(["▁", ".", ","]))
            vocab.Add(new JsonArray(piece, score -= 0.25));
        return new JsonObject
        {
            ["version"] = "1.0", ["truncation"] = null, ["padding"] = null,
            ["added_tokens"] = AddedTokens(specials),
            ["normalizer"] = new JsonObject { ["type"] = "NFKC" },
            ["pre_tokenizer"] = new JsonObject { ["type"] = "Metaspace", ["replacement"] = "▁", ["prepend_scheme"] = "always", ["split"] = true },
            ["post_processor"] = new JsonObject
            {
                ["type"] = "TemplateProcessing",
                ["single"] = new JsonArray(Special("<s>"), new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } }, Special("</s>")),
                ["pair"] = new JsonArray(new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } }, new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "B", ["type_id"] = 1 } }),
                ["special_tokens"] = new JsonObject
                {
                    ["<s>"] = new JsonObject { ["id"] = "<s>", ["ids"] = new JsonArray(1), ["tokens"] = new JsonArray("<s>") },
                    ["</s>"] = new JsonObject { ["id"] = "</s>", ["ids"] = new JsonArray(2), ["tokens"] = new JsonArray("</s>") },
                },
            },
            ["decoder"] = new JsonObject { ["type"] = "Metaspace", ["replacement"] = "▁", ["prepend_scheme"] = "always", ["split"] = true },
            ["model"] = new JsonObject { ["type"] = "Unigram", ["unk_id"] = 0, ["vocab"] = vocab, ["byte_fallback"] = false },
        };
    }

    private static JsonObject Special(string token) => new() { ["SpecialToken"] = new JsonObject { ["id"] = token, ["type_id"] = 0 } };

    private static JsonArray AddedTokens(string[] specials) => new(specials.Select((t, id) => (JsonNode)new JsonObject
    {
        ["id"] = id, ["content"] = t, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
    }).ToArray());
}
