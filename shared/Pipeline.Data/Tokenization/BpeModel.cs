using System.Text;

namespace Pipeline.Data.Tokenization;

/// <summary>A trained byte-level BPE: the special tokens, then the 256 byte tokens, then one token per merge (in merge
/// order, so a merge's rank is its token's id). Includes the reference encoder the trainer's tests compare against.</summary>
public sealed class BpeModel
{
    public const int FirstByteId = 3;
    public const int FirstMergeId = FirstByteId + 256;

    private readonly Dictionary<long, int> _mergeIds;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int[]> _cache = new();

    public BpeModel(IReadOnlyList<(int Left, int Right)> merges)
    {
        Merges = merges;
        var tokens = new List<string>(SpecialTokens.All);
        tokens.AddRange(Enumerable.Range(0, 256).Select(b => ByteLevel.ByteToChar[b].ToString()));
        _mergeIds = new Dictionary<long, int>(merges.Count);
        foreach (var (left, right) in merges)
        {
            _mergeIds[Key(left, right)] = tokens.Count;
            tokens.Add(tokens[left] + tokens[right]);
        }
        Tokens = tokens;
    }

    /// <summary>Token strings in byte-level form, indexed by id.</summary>
    public IReadOnlyList<string> Tokens { get; }
    public IReadOnlyList<(int Left, int Right)> Merges { get; }
    public int VocabSize => Tokens.Count;

    public static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    public int[] Encode(string text)
    {
        var ids = new List<int>();
        foreach (var match in ByteLevel.Gpt2Regex.EnumerateMatches(text))
            ids.AddRange(EncodeWord(text.Substring(match.Index, match.Length)));
        return ids.ToArray();
    }

    public string Decode(IEnumerable<int> ids)
    {
        var bytes = ids.Where(id => id >= FirstByteId).SelectMany(id => ByteLevel.Decode(Tokens[id])).ToArray();
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Applies merges lowest rank first, as GPT-2 and Hugging Face do.</summary>
    private int[] EncodeWord(string word)
    {
        if (_cache.TryGetValue(word, out var cached)) return cached;
        var symbols = Encoding.UTF8.GetBytes(word).Select(b => FirstByteId + b).ToList();
        while (symbols.Count > 1)
        {
            var (best, at) = (int.MaxValue, -1);
            for (var i = 0; i + 1 < symbols.Count; i++)
                if (_mergeIds.TryGetValue(Key(symbols[i], symbols[i + 1]), out var id) && id < best)
                    (best, at) = (id, i);
            if (at < 0) break;
            symbols[at] = best;
            symbols.RemoveAt(at + 1);
        }
        return _cache[word] = symbols.ToArray();
    }
}
