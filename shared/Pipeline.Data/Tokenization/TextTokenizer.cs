namespace Pipeline.Data.Tokenization;

/// <summary>The tokenizer every model in the pipeline uses, loaded from a Hugging Face model folder (or a folder of
/// tokenizer files only): its `tokenizer.json`, run by HF's own Rust implementation, or else a SentencePiece
/// `tokenizer.model`. Special-token names and the chat template come from `tokenizer_config.json`.
/// `Encode` adds no special tokens unless asked; callers add BOS/EOS where the data format wants them.</summary>
public sealed class TextTokenizer
{
    private readonly ITokenizerModel _model;

    private TextTokenizer(ITokenizerModel model, TokenizerConfig config, int bosId, int eosId)
    {
        _model = model;
        Config = config;
        BosId = bosId;
        EosId = eosId;
        PadId = config.PadToken is null ? null : model.IdOf(config.PadToken);
    }

    public TokenizerConfig Config { get; }
    public int VocabSize => _model.VocabSize;

    /// <summary>The token that starts a sequence. A model without BOS (Qwen) starts with its EOS, as lm-eval does.</summary>
    public int BosId { get; }
    public int EosId { get; }
    public int? PadId { get; }

    /// <summary>The tokenizer's special tokens as text (BOS, EOS, end-of-turn markers, ...).</summary>
    public IReadOnlyList<string> AddedSpecialTokens => _model.AddedSpecialTokens;

    public int[] Encode(string text, bool addSpecialTokens = false) => _model.Encode(text, addSpecialTokens);

    /// <summary>As HF's `decode`: special tokens are kept unless <paramref name="skipSpecialTokens"/>.</summary>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false) => _model.Decode(ids.ToList(), skipSpecialTokens);

    /// <summary>Each id's vocabulary string, as HF's `Encoding.tokens` (byte-level tokens stay in their ByteLevel
    /// alphabet, e.g. "Ġthe").</summary>
    public string[] Tokens(IEnumerable<int> ids) =>
        ids.Select(id => _model.TokenOf(id) ?? throw new ArgumentOutOfRangeException(nameof(ids), $"id {id} is outside the vocabulary ({VocabSize})")).ToArray();

    public static TextTokenizer Load(string modelDirectory)
    {
        var json = Path.Combine(modelDirectory, HuggingFaceTokenizerFile.TokenizerJson);
        var sentencePiece = Path.Combine(modelDirectory, SentencePieceModelFile.FileName);
        var config = TokenizerConfig.Read(modelDirectory);
        if (File.Exists(json)) return WithSpecialIds(HuggingFaceTokenizer.Load(json), config);
        if (File.Exists(sentencePiece))
        {
            var model = SentencePieceModelFile.Load(sentencePiece);
            return new TextTokenizer(model, config, model.BosId, model.EosId);
        }
        throw new FileNotFoundException($"No tokenizer in '{modelDirectory}': expected tokenizer.json or tokenizer.model (SentencePiece).");
    }

    private static TextTokenizer WithSpecialIds(ITokenizerModel model, TokenizerConfig config)
    {
        var eos = SpecialId(model, config, "eos_token", config.EosToken) ?? throw new DataFormatException(config.Path, 0, "eos_token", "the model has no EOS token");
        var bos = config.BosToken == SpecialTokens.Bos && model.IdOf(SpecialTokens.Bos) is null
            ? null // the fallback name, for a folder that does not name its BOS
            : SpecialId(model, config, "bos_token", config.BosToken);
        return new TextTokenizer(model, config, bos ?? eos, eos);
    }

    private static int? SpecialId(ITokenizerModel model, TokenizerConfig config, string field, string? token) =>
        token is null ? null : model.IdOf(token) ?? throw new DataFormatException(config.Path, 0, field, $"\"{token}\" is not in the vocabulary");
}
