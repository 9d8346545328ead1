using Microsoft.ML.Tokenizers;

namespace Pipeline.Data.Tokenization;

/// <summary>A SentencePiece `tokenizer.model` without a `tokenizer.json` beside it, run by Microsoft.ML.Tokenizers'
/// Llama tokenizer (the model's BOS is its only added special token, as in HF's slow LlamaTokenizer).</summary>
internal sealed class SentencePieceModelFile : ITokenizerModel
{
    public const string FileName = "tokenizer.model";

    private readonly LlamaTokenizer _tokenizer;
    private readonly Dictionary<int, string> _tokensById;

    private SentencePieceModelFile(LlamaTokenizer tokenizer)
    {
        _tokenizer = tokenizer;
        _tokensById = tokenizer.Vocabulary.ToDictionary(p => p.Value, p => p.Key);
    }

    public static SentencePieceModelFile Load(string path)
    {
        using var stream = File.OpenRead(path);
        return new(LlamaTokenizer.Create(stream, addBeginOfSentence: false, addEndOfSentence: false));
    }

    public int VocabSize => _tokenizer.Vocabulary.Count;

    public int BosId => _tokenizer.BeginningOfSentenceId;

    public int EosId => _tokenizer.EndOfSentenceId;

    public int[] Encode(string text, bool addSpecialTokens) =>
        _tokenizer.EncodeToIds(text, addBeginningOfSentence: addSpecialTokens, addEndOfSentence: false).ToArray();

    public string Decode(IReadOnlyList<int> ids, bool skipSpecialTokens) =>
        _tokenizer.Decode(ids, considerSpecialTokens: !skipSpecialTokens);

    public string? TokenOf(int id) => _tokensById.GetValueOrDefault(id);

    public int? IdOf(string token) => _tokenizer.Vocabulary.TryGetValue(token, out var id) ? id : null;

    public IReadOnlyList<string> AddedSpecialTokens => [_tokenizer.BeginningOfSentenceToken, _tokenizer.EndOfSentenceToken];
}
