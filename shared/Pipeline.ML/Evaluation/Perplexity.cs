using System.Text;
using System.Text.RegularExpressions;
using Pipeline.Data.Tasks;
using Serilog;

namespace Pipeline.ML.Evaluation;

/// <summary>
/// A document's rolling log-likelihood with the units perplexities are normalised by, and each token's log p when
/// asked for (in document order).
/// </summary>
public sealed record DocumentScore(string Id, double LogProb, int Tokens, int Words, int Bytes, float[]? TokenLogProbs = null);

/// <summary>
/// Perplexity over whole documents, as lm-evaluation-harness's <c>loglikelihood_rolling</c> tasks (wikitext):
/// token, word and byte perplexity and bits per byte = −Σ log p / (ln 2 · Σ UTF-8 bytes), pooled over the corpus.
/// </summary>
public static partial class Perplexity
{
    /// <summary>Documents are read lazily and scored a few batches at a time, so memory stays flat on a large corpus.</summary>
    public static IReadOnlyList<DocumentScore> ScoreDocuments(LogLikelihoodScorer scorer, ITextCodec codec, IEnumerable<PerplexityDocument> documents,
        Action<EvalProgress>? progress = null, int windowsPerChunk = 256, bool keepTokenLogProbs = false)
    {
        var scores = new List<DocumentScore>();
        var pending = new List<(PerplexityDocument Document, int Tokens, ScoringRequest[] Windows)>();
        int pendingWindows = 0;

        void Flush()
        {
            var results = scorer.Score(pending.SelectMany(p => p.Windows).ToArray());
            int next = 0;
            foreach (var (document, tokens, windows) in pending)
            {
                var windowScores = results.Skip(next).Take(windows.Length).ToArray();
                next += windows.Length;
                var tokenLogProbs = keepTokenLogProbs ? windowScores.SelectMany(w => w.TokenLogProbs).ToArray() : null;
                scores.Add(new DocumentScore(document.Id, windowScores.Sum(w => w.LogProb), tokens, CountWords(document.Text),
                    Encoding.UTF8.GetByteCount(document.Text), tokenLogProbs));
            }
            pending.Clear();
            pendingWindows = 0;
            progress?.Invoke(new EvalProgress("documents", scores.Count, null));
        }

        foreach (var document in documents)
        {
            var tokens = codec.Encode(document.Text);
            if (tokens.Length == 0) throw new ArgumentException($"document '{document.Id}' has no tokens");
            var windows = RollingWindows.Disjoint(tokens, codec.BosId, scorer.MaxLength).ToArray();
            pending.Add((document, tokens.Length, windows));
            pendingWindows += windows.Length;
            if (pendingWindows >= windowsPerChunk) Flush();
        }
        if (pending.Count > 0) Flush();
        return scores;
    }

    /// <summary>What <see cref="Metrics"/> reports, in its order.</summary>
    public static readonly IReadOnlyList<string> MetricNames = ["token_perplexity", "word_perplexity", "byte_perplexity", "bits_per_byte"];

    public static IReadOnlyList<MetricValue> Metrics(string task, IReadOnlyList<DocumentScore> documents)
    {
        var negLogProbs = documents.Select(d => -d.LogProb).ToArray();
        MetricValue PerUnit(string metric, Func<DocumentScore, double> units, Func<double, double> transform, Func<double, double> slope)
        {
            var (ratio, stdErr) = Statistics.Ratio(negLogProbs, documents.Select(units).ToArray());
            return new MetricValue(task, metric, transform(ratio), slope(ratio) * stdErr, documents.Count);
        }

        var metrics = new[]
        {
            PerUnit("token_perplexity", d => d.Tokens, Math.Exp, Math.Exp),
            PerUnit("word_perplexity", d => d.Words, Math.Exp, Math.Exp),
            PerUnit("byte_perplexity", d => d.Bytes, Math.Exp, Math.Exp),
            PerUnit("bits_per_byte", d => d.Bytes, r => r / Math.Log(2), _ => 1 / Math.Log(2)),
        };
        Log.Information("Perplexity {Task}: {Documents} documents, {Tokens} tokens, bits/byte {BitsPerByte:F4}",
            task, documents.Count, documents.Sum(d => (long)d.Tokens), metrics[3].Value);
        return metrics;
    }

    /// <summary>The harness counts words as <c>len(re.split(r"\s+", doc))</c>.</summary>
    public static int CountWords(string text) => Whitespace().Split(text).Length;

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
