namespace Pipeline.ML.Evaluation;

/// <summary>
/// Text that is already token ids, whitespace-separated ("1 345 22"): lets benchmarks and cross-checks against other
/// implementations drive the engine without a tokenizer.
/// </summary>
public sealed class TokenIdCodec(int bosId, int eosId) : ITextCodec
{
    public int BosId => bosId;
    public int EosId => eosId;

    public int[] Encode(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
        .Select(word => int.TryParse(word, out var id) ? id : throw new FormatException($"'{word}' is not a token id")).ToArray();

    public string Decode(IEnumerable<int> ids) => string.Join(' ', ids);
}
