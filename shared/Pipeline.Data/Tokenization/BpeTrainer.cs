using System.Text;
using Serilog;

namespace Pipeline.Data.Tokenization;

/// <summary>Trains a byte-level BPE the way Hugging Face's BpeTrainer does: count GPT-2 pre-tokens, then repeatedly
/// merge the most frequent adjacent pair (ties go to the smaller pair of ids), updating counts only in the words
/// that contain it.</summary>
public static class BpeTrainer
{
    public const int DefaultVocabSize = 4096;

    public static BpeModel Train(IReadOnlyList<string> texts, int vocabSize = DefaultVocabSize, int minPairCount = 2)
    {
        if (vocabSize < BpeModel.FirstMergeId)
            throw new ArgumentOutOfRangeException(nameof(vocabSize), $"Vocab size must be at least {BpeModel.FirstMergeId} (3 special + 256 byte tokens).");
        var words = CountWords(texts);
        var symbols = words.Keys.Select(w => Encoding.UTF8.GetBytes(w).Select(b => BpeModel.FirstByteId + b).ToArray()).ToArray();
        var frequency = words.Values.ToArray();
        var (pairCounts, where) = CountPairs(symbols, frequency);
        var merges = new List<(int, int)>();
        var nextId = BpeModel.FirstMergeId;
        while (nextId < vocabSize)
        {
            var (best, count) = MostFrequent(pairCounts);
            if (count < minPairCount) break;
            var (left, right) = ((int)(best >> 32), (int)(best & 0xFFFFFFFF));
            foreach (var w in where[best].ToArray())
                Rewrite(w, left, right, nextId, symbols, frequency, pairCounts, where);
            pairCounts.Remove(best);
            where.Remove(best);
            merges.Add((left, right));
            nextId++;
        }
        Log.Information("Trained byte-level BPE: {Words} distinct pre-tokens, {Merges} merges, vocab {Vocab}", words.Count, merges.Count, nextId);
        return new BpeModel(merges);
    }

    /// <summary>Pre-token frequencies, counted in parallel over the texts.</summary>
    private static Dictionary<string, long> CountWords(IReadOnlyList<string> texts)
    {
        var partials = texts.AsParallel().AsOrdered().Select(text =>
        {
            var counts = new Dictionary<string, long>();
            var lookup = counts.GetAlternateLookup<ReadOnlySpan<char>>();
            foreach (var match in ByteLevel.Gpt2Regex.EnumerateMatches(text))
            {
                var span = text.AsSpan(match.Index, match.Length);
                lookup[span] = lookup.TryGetValue(span, out var n) ? n + 1 : 1;
            }
            return counts;
        });
        var total = new Dictionary<string, long>();
        foreach (var partial in partials)
            foreach (var (word, n) in partial)
                total[word] = total.GetValueOrDefault(word) + n;
        // Sorted so that the word order, and with it every tie-break, is independent of hashing and threading.
        return total.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary();
    }

    private static (Dictionary<long, long> Counts, Dictionary<long, HashSet<int>> Where) CountPairs(int[][] symbols, long[] frequency)
    {
        var counts = new Dictionary<long, long>();
        var where = new Dictionary<long, HashSet<int>>();
        for (var w = 0; w < symbols.Length; w++)
            AddPairs(w, symbols[w], frequency[w], counts, where);
        return (counts, where);
    }

    private static (long Pair, long Count) MostFrequent(Dictionary<long, long> counts)
    {
        var (best, bestCount) = (long.MaxValue, 0L);
        foreach (var (pair, count) in counts)
            if (count > bestCount || (count == bestCount && pair < best))
                (best, bestCount) = (pair, count);
        return (best, bestCount);
    }

    private static void Rewrite(int w, int left, int right, int merged, int[][] symbols, long[] frequency,
        Dictionary<long, long> counts, Dictionary<long, HashSet<int>> where)
    {
        var old = symbols[w];
        var updated = new List<int>(old.Length);
        for (var i = 0; i < old.Length; i++)
        {
            if (i + 1 < old.Length && old[i] == left && old[i + 1] == right)
            {
                updated.Add(merged);
                i++;
            }
            else updated.Add(old[i]);
        }
        if (updated.Count == old.Length) return;
        RemovePairs(old, frequency[w], counts);
        symbols[w] = updated.ToArray();
        AddPairs(w, symbols[w], frequency[w], counts, where);
    }

    private static void AddPairs(int w, int[] word, long frequency, Dictionary<long, long> counts, Dictionary<long, HashSet<int>> where)
    {
        for (var i = 0; i + 1 < word.Length; i++)
        {
            var pair = BpeModel.Key(word[i], word[i + 1]);
            counts[pair] = counts.GetValueOrDefault(pair) + frequency;
            if (!where.TryGetValue(pair, out var set)) where[pair] = set = [];
            set.Add(w);
        }
    }

    private static void RemovePairs(int[] word, long frequency, Dictionary<long, long> counts)
    {
        for (var i = 0; i + 1 < word.Length; i++)
        {
            var pair = BpeModel.Key(word[i], word[i + 1]);
            var left = counts[pair] - frequency;
            if (left == 0) counts.Remove(pair);
            else counts[pair] = left;
        }
    }
}
