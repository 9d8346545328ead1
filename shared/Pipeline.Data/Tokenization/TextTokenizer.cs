using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Pipeline.Data.Tokenization;

/// <summary>The tokenizer every model in the pipeline uses, loaded from a Hugging Face model folder: a byte-level BPE
/// `tokenizer.json` (read here, run by Microsoft.ML.Tokenizers' BpeTokenizer) or else a SentencePiece `tokenizer.model`.
/// `Encode` never adds BOS/EOS; callers add them where the data format wants them.</summary>
public sealed class TextTokenizer
{
    private readonly Tokenizer _tokenizer;

    private TextTokenizer(Tokenizer tokenizer, int vocabSize, int bosId, int eosId, int? padId)
    {
        _tokenizer = tokenizer;
        VocabSize = vocabSize;
        BosId = bosId;
        EosId = eosId;
        PadId = padId;
    }

    public int VocabSize { get; }
    public int BosId { get; }
    public int EosId { get; }
    public int? PadId { get; }

    public int[] Encode(string text) => _tokenizer switch
    {
        SentencePieceTokenizer sentencePiece => sentencePiece.EncodeToIds(text, addBeginningOfSentence: false, addEndOfSentence: false).ToArray(),
        _ => _tokenizer.EncodeToIds(text).ToArray(),
    };

    public string Decode(IEnumerable<int> ids) => _tokenizer.Decode(ids);

    public static TextTokenizer Load(string modelDirectory)
    {
        var json = Path.Combine(modelDirectory, HuggingFaceTokenizerFile.TokenizerJson);
        var sentencePiece = Path.Combine(modelDirectory, "tokenizer.model");
        var root = File.Exists(json) ? ParseJson(json) : null;
        if (root is not null && IsByteLevel(root))
            return LoadByteLevelBpe(root, json, Path.Combine(modelDirectory, HuggingFaceTokenizerFile.TokenizerConfigJson));
        if (File.Exists(sentencePiece))
            return LoadSentencePiece(sentencePiece);
        if (root is not null)
            throw new DataFormatException(json, 0, "pre_tokenizer", "not a byte-level BPE tokenizer, and there is no tokenizer.model beside it");
        throw new FileNotFoundException($"No tokenizer in '{modelDirectory}': expected tokenizer.json (byte-level BPE) or tokenizer.model (SentencePiece).");
    }

    private static bool IsByteLevel(JsonObject root) =>
        root["pre_tokenizer"]?.ToJsonString().Contains("\"ByteLevel\"", StringComparison.Ordinal) == true;

    /// <summary>Type mismatches deep in the JSON (a number where a string belongs) become errors that name the file.</summary>
    private static TextTokenizer LoadByteLevelBpe(JsonObject root, string path, string configPath)
    {
        try { return ReadByteLevelBpe(root, path, configPath); }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException or KeyNotFoundException)
        {
            throw new DataFormatException(path, 0, null, $"not a valid byte-level BPE tokenizer ({e.Message})");
        }
    }

    private static TextTokenizer ReadByteLevelBpe(JsonObject root, string path, string configPath)
    {
        var model = Required<JsonObject>(root, "model", path);
        var type = model["type"]?.GetValue<string>();
        if (type != "BPE") throw new DataFormatException(path, 0, "model.type", $"expected \"BPE\", found {(type is null ? "nothing" : $"\"{type}\"")}");
        var vocab = Required<JsonObject>(model, "vocab", path, "model.vocab")
            .ToDictionary(p => p.Key, p => IntValue(p.Value, path, $"model.vocab[\"{p.Key}\"]"));
        var merges = Required<JsonArray>(model, "merges", path, "model.merges").Select((m, i) => MergeString(m, path, i)).ToList();
        var added = (root["added_tokens"] as JsonArray ?? [])
            .Select((t, i) => (Content: Required<JsonValue>(t!.AsObject(), "content", path, $"added_tokens[{i}].content").GetValue<string>(),
                Id: IntValue(t!["id"], path, $"added_tokens[{i}].id")))
            .ToList();
        foreach (var (content, id) in added) vocab.TryAdd(content, id);
        CheckMerges(merges, vocab, path);
        var bpe = BpeTokenizer.Create(new BpeOptions(vocab)
        {
            Merges = merges,
            ByteLevel = true,
            PreTokenizer = new RegexPreTokenizer(new Regex(PreTokenizerPattern(root), RegexOptions.Compiled), null),
        });
        var config = File.Exists(configPath) ? ParseJson(configPath) : new JsonObject();
        int? Special(string field, string fallback) =>
            vocab.TryGetValue(TokenName(config[field]) ?? fallback, out var id) ? id : null;
        var bos = Special("bos_token", SpecialTokens.Bos) ?? throw new DataFormatException(configPath, 0, "bos_token", "no BOS token in the vocabulary");
        var eos = Special("eos_token", SpecialTokens.Eos) ?? throw new DataFormatException(configPath, 0, "eos_token", "no EOS token in the vocabulary");
        return new TextTokenizer(bpe, vocab.Values.Max() + 1, bos, eos, Special("pad_token", SpecialTokens.Pad));
    }

    private static TextTokenizer LoadSentencePiece(string path)
    {
        using var stream = File.OpenRead(path);
        var tokenizer = LlamaTokenizer.Create(stream, addBeginOfSentence: false, addEndOfSentence: false);
        return new TextTokenizer(tokenizer, tokenizer.Vocabulary.Count, tokenizer.BeginningOfSentenceId, tokenizer.EndOfSentenceId, null);
    }

    /// <summary>GPT-2's regex for a plain ByteLevel pre-tokenizer; the Split pattern for Llama-3-style sequences.</summary>
    private static string PreTokenizerPattern(JsonObject root)
    {
        var split = (root["pre_tokenizer"]?["pretokenizers"] as JsonArray)?.FirstOrDefault(p => p?["type"]?.GetValue<string>() == "Split");
        return split?["pattern"]?["Regex"]?.GetValue<string>() ?? ByteLevel.Gpt2Pattern;
    }

    private static string? TokenName(JsonNode? node) => node switch
    {
        JsonValue value when value.TryGetValue<string>(out var s) => s,
        JsonObject obj => obj["content"]?.GetValue<string>(),
        _ => null,
    };

    /// <summary>Each merge joins two vocabulary tokens into a third; the BPE library fails obscurely otherwise.</summary>
    private static void CheckMerges(List<string> merges, Dictionary<string, int> vocab, string path)
    {
        for (int i = 0; i < merges.Count; i++)
        {
            var parts = merges[i].Split(' ');
            var missing = new[] { parts[0], parts[1], parts[0] + parts[1] }.FirstOrDefault(token => !vocab.ContainsKey(token));
            if (missing is not null)
                throw new DataFormatException(path, 0, $"model.merges[{i}]", $"merge \"{merges[i]}\" needs token \"{missing}\", which is not in model.vocab");
        }
    }

    private static string MergeString(JsonNode? merge, string path, int index) => merge switch
    {
        JsonValue value when value.TryGetValue<string>(out var s) && s.Split(' ').Length == 2 => s,
        JsonArray { Count: 2 } pair => $"{pair[0]!.GetValue<string>()} {pair[1]!.GetValue<string>()}",
        _ => throw new DataFormatException(path, 0, $"model.merges[{index}]", "expected \"left right\" or [\"left\", \"right\"]"),
    };

    private static int IntValue(JsonNode? node, string path, string field) =>
        node is JsonValue value && value.TryGetValue<int>(out var id) && id >= 0
            ? id
            : throw new DataFormatException(path, 0, field, "expected a non-negative integer id");

    private static T Required<T>(JsonObject parent, string name, string path, string? field = null) where T : JsonNode =>
        parent[name] as T ?? throw new DataFormatException(path, 0, field ?? name, $"missing or not a JSON {typeof(T).Name[4..].ToLowerInvariant()}");

    private static JsonObject ParseJson(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) as JsonObject
                   ?? throw new DataFormatException(path, 0, null, "expected a JSON object");
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, (int)(e.LineNumber ?? -1) + 1, null, $"malformed JSON: {e.Message}");
        }
    }
}
