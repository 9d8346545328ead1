using Pipeline.ML.Evaluation;
using Pipeline.Data.Tasks;

namespace Pipeline.ML.Tests.Evaluation;

public class PerplexityTests
{
    [Fact]
    public void Rolling_windows_predict_every_token_once_with_one_token_of_context()
    {
        int[] tokens = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

        var windows = RollingWindows.Disjoint(tokens, prefixToken: 0, maxLength: 4).ToArray();

        // The harness's windows for this input, worked by hand from get_rolling_token_windows + make_disjoint_window.
        Assert.Equal(3, windows.Length);
        AssertWindow(windows[0], [0], [1, 2, 3, 4]);
        AssertWindow(windows[1], [4], [5, 6, 7, 8]);
        AssertWindow(windows[2], [6, 7, 8], [9, 10]);
    }

    [Fact]
    public void Rolling_windows_with_longer_context_overlap_by_that_many_tokens()
    {
        var windows = RollingWindows.Disjoint([1, 2, 3, 4, 5, 6, 7], prefixToken: 0, maxLength: 4, contextLength: 2).ToArray();

        AssertWindow(windows[0], [0], [1, 2, 3, 4]);
        AssertWindow(windows[1], [3, 4], [5, 6, 7]);
        Assert.Equal(2, windows.Length);
    }

    [Fact]
    public void Document_log_likelihood_and_bits_per_byte_match_hand_computed_windows()
    {
        using var model = EvalModels.Random(seed: 4, maxPositions: 8);
        var codec = new LetterCodec();
        const string text = "the cat sat on a mat";                  // 20 characters, 20 tokens, 6 words
        var t = codec.Encode(text);

        var documents = Perplexity.ScoreDocuments(new LogLikelihoodScorer(model, batchSize: 2), codec, [new PerplexityDocument("d", text)], keepTokenLogProbs: true);

        // Windows of 8 inputs: [BOS, t0..t6] predicts t0..t7; [t7..t14] predicts t8..t15; [t11..t18] predicts t16..t19 at its last 4 positions.
        double expected = EvalModels.SumLogProb(model, [0, .. t[..8]], 0, 8)
            + EvalModels.SumLogProb(model, t[7..16], 0, 8)
            + EvalModels.SumLogProb(model, t[11..20], 4, 8);
        var document = Assert.Single(documents);
        Assert.Equal(expected, document.LogProb, 4);
        Assert.Equal((20, 6, 20), (document.Tokens, document.Words, document.Bytes));
        Assert.Equal(20, document.TokenLogProbs!.Length);
        Assert.Equal(EvalModels.LogSoftmax(model, [0, .. t[..7]])[0, t[0]], document.TokenLogProbs[0], 4); // the first token, from BOS
        Assert.Equal(expected, document.TokenLogProbs.Sum(p => (double)p), 4);

        var metrics = Perplexity.Metrics("toy", documents).ToDictionary(m => m.Metric);
        Assert.Equal(-expected / (20 * Math.Log(2)), metrics["bits_per_byte"].Value, 4);
        Assert.Equal(-expected / 6, Math.Log(metrics["word_perplexity"].Value), 4);
        Assert.Equal(-expected / 20, Math.Log(metrics["token_perplexity"].Value), 4);
    }

    [Fact]
    public void Corpus_metrics_pool_documents_and_carry_a_standard_error()
    {
        DocumentScore[] documents = [new("a", -10, 5, 2, 10), new("b", -30, 10, 4, 20), new("c", -20, 5, 3, 10)];

        var bitsPerByte = Perplexity.Metrics("toy", documents).Single(m => m.Metric == "bits_per_byte");

        Assert.Equal(60 / (40 * Math.Log(2)), bitsPerByte.Value, 10);
        // Residuals −LL_i − R·bytes_i with R = 1.5: −5, 0, 5; variance 25; se = √(25/3) / mean bytes (40/3), in bits.
        Assert.Equal(Math.Sqrt(25.0 / 3) / (40.0 / 3) / Math.Log(2), bitsPerByte.StdErr, 10);
        Assert.Equal(3, bitsPerByte.Count);
    }

    private static void AssertWindow(ScoringRequest window, int[] context, int[] continuation)
    {
        Assert.Equal(context, window.Context);
        Assert.Equal(continuation, window.Continuation);
    }

    [Fact]
    public void Words_are_counted_as_the_harness_splits_them()
    {
        Assert.Equal(3, Perplexity.CountWords("a  b\nc"));
        Assert.Equal(3, Perplexity.CountWords(" a b")); // a leading space yields an empty first word, as re.split does
    }
}
