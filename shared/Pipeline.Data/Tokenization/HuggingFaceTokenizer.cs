using System.Text.Json.Nodes;
using Pipeline.Data.UserData;
using Rust = Tokenizers.DotNet;

namespace Pipeline.Data.Tokenization;

/// <summary>A `tokenizer.json` run by Hugging Face's own Rust `tokenizers` crate (through Tokenizers.DotNet), so every
/// model, normalizer, pre-tokenizer, decoder and added-token rule is exactly HF's, by construction.
/// The binding always encodes with special tokens and always decodes skipping them, so each behaviour we need gets
/// its own copy of the file: one without post-processor (plain encode), the file as given (encode with specials),
/// and one whose added tokens are not special (decode that keeps them). Truncation and padding are off in all.</summary>
internal sealed class HuggingFaceTokenizer : ITokenizerModel
{
    private readonly Rust.Tokenizer _plain;
    private readonly Lazy<Rust.Tokenizer> _withSpecialTokens;
    private readonly Lazy<Rust.Tokenizer> _keepingSpecialTokens;
    private readonly IReadOnlyDictionary<string, int> _idsByToken;
    private readonly string[] _tokensById;

    private HuggingFaceTokenizer(string path, JsonObject root)
    {
        _idsByToken = Vocabulary(root, path);
        AddedSpecialTokens = (root["added_tokens"] as JsonArray ?? []).Where(t => t?["special"] is JsonValue v && v.TryGetValue<bool>(out var special) && special)
            .Select(t => (string)t!["content"]!).ToList();
        _tokensById = new string[_idsByToken.Values.DefaultIfEmpty(-1).Max() + 1];
        foreach (var (token, id) in _idsByToken) _tokensById[id] = token;
        _plain = Create(path, Variant(root, postProcessor: false, addedTokensSpecial: true));
        _withSpecialTokens = new(() => Create(path, Variant(root, postProcessor: true, addedTokensSpecial: true)));
        _keepingSpecialTokens = new(() => Create(path, Variant(root, postProcessor: false, addedTokensSpecial: false)));
    }

    public static HuggingFaceTokenizer Load(string path) => new(path, JsonFile.ReadObject(path));

    public int VocabSize => _tokensById.Length;

    public int[] Encode(string text, bool addSpecialTokens)
    {
        RefuseLoneSurrogates(text);
        var tokenizer = addSpecialTokens ? _withSpecialTokens.Value : _plain;
        return Array.ConvertAll(tokenizer.Encode(text), id => (int)id);
    }

    public string Decode(IReadOnlyList<int> ids, bool skipSpecialTokens)
    {
        var tokenizer = skipSpecialTokens ? _plain : _keepingSpecialTokens.Value;
        return tokenizer.Decode(ids.Select(id => checked((uint)id)).ToArray());
    }

    public string? TokenOf(int id) => id >= 0 && id < _tokensById.Length ? _tokensById[id] : null;

    public int? IdOf(string token) => _idsByToken.TryGetValue(token, out var id) ? id : null;

    public IReadOnlyList<string> AddedSpecialTokens { get; }

    /// <summary>token → id, from `model.vocab` (an object, or Unigram's [token, score] array indexed by id) and
    /// `added_tokens`, which win where they overlap, as in HF's added vocabulary.</summary>
    private static Dictionary<string, int> Vocabulary(JsonObject root, string path)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        switch (root["model"]?["vocab"])
        {
            case JsonObject vocab:
                foreach (var (token, id) in vocab) ids[token] = TokenizerJson.Id(id, path, $"model.vocab[\"{token}\"]");
                break;
            case JsonArray unigram:
                for (var id = 0; id < unigram.Count; id++)
                    ids.TryAdd(TokenizerJson.String(unigram[id]?[0], path, $"model.vocab[{id}][0]"), id);
                break;
            default:
                throw new DataFormatException(path, 0, "model.vocab", "missing, or neither an object nor a list");
        }
        foreach (var (token, i) in (root["added_tokens"] as JsonArray ?? []).Select((t, i) => (t, i)))
            ids[TokenizerJson.String(token?["content"], path, $"added_tokens[{i}].content")] = TokenizerJson.Id(token?["id"], path, $"added_tokens[{i}].id");
        return ids;
    }

    private static JsonObject Variant(JsonObject root, bool postProcessor, bool addedTokensSpecial)
    {
        var copy = root.DeepClone().AsObject();
        copy["truncation"] = null;
        copy["padding"] = null;
        if (!postProcessor) copy["post_processor"] = null;
        if (!addedTokensSpecial)
            foreach (var token in copy["added_tokens"] as JsonArray ?? []) token!["special"] = false;
        return copy;
    }

    /// <summary>The binding reads only files, so each variant is written to a temporary file that lives as long as
    /// the load.</summary>
    private static Rust.Tokenizer Create(string path, JsonObject variant)
    {
        var temporary = Path.Combine(Path.GetTempPath(), $"tokenizer-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(temporary, variant.ToJsonString());
            return new Rust.Tokenizer(vocabPath: temporary);
        }
        catch (Rust.TokenizerException e)
        {
            throw new DataFormatException(path, 0, null, $"Hugging Face tokenizers cannot read it: {e.Message}");
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>A lone UTF-16 surrogate has no UTF-8 form; HF's Python and Rust APIs cannot receive one either.</summary>
    private static void RefuseLoneSurrogates(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            else if (char.IsSurrogate(text[i]))
                throw new ArgumentException($"the text has a lone UTF-16 surrogate (U+{(int)text[i]:X4}) at index {i}, which no UTF-8 text can hold");
        }
    }
}
