using Pipeline.ML.Evaluation;
using Pipeline.ML.Modeling;

namespace Pipeline.ML.Tests.Evaluation;

public class LogLikelihoodScorerTests
{
    [Fact]
    public void Batched_scores_equal_single_forward_log_softmax_of_the_continuation()
    {
        using var model = EvalModels.Random(seed: 1);
        // Different lengths in one batch, so padding is exercised; the last one exceeds 16 + 1 tokens and is cut from the left.
        ScoringRequest[] requests =
        [
            new([0, 3, 4], [5]),
            new([0, 7], [8, 9, 10, 11]),
            new([0, 2, 2, 2, 2, 2, 6], [12, 13]),
            new([0, .. Enumerable.Range(2, 14)], [4, 5, 6, 7]),
        ];

        var scores = new LogLikelihoodScorer(model, batchSize: 3).Score(requests);

        for (int i = 0; i < requests.Length; i++)
        {
            var whole = requests[i].Context.Concat(requests[i].Continuation).TakeLast(17).ToArray();
            int length = requests[i].Continuation.Length;
            double expected = EvalModels.SumLogProb(model, whole, whole.Length - 1 - length, whole.Length - 1);
            Assert.Equal(expected, scores[i].LogProb, 4);
            Assert.Equal(length, scores[i].TokenLogProbs.Length);
            Assert.True(scores[i].LogProb < 0);
        }
    }

    [Fact]
    public void Scores_are_unchanged_when_the_head_runs_in_chunks_of_a_few_rows()
    {
        // Vocab 2^17: the head scores 8 rows at a time, so each batch's positions and each shared context's
        // continuations cross chunk boundaries.
        using var model = new LlamaForCausalLM(EvalModels.Config() with { VocabSize = 1 << 17 });
        model.InitializeWeights(seed: 5);
        ScoringRequest[] requests =
        [
            new([0, 3, 4], [5, 70_000, 9, 131_000, 12, 13, 14, 15, 16, 17]), new([0, 7], [8, 9, 10, 11]),
            new([0, 40_000, 5], [6, 7, 8, 9, 10, 11, 12]), new([0, 40_000, 5], [100_000, 2]), new([0, 40_000, 5], [3]),
        ];

        var scores = new LogLikelihoodScorer(model, batchSize: 2).Score(requests);

        for (int i = 0; i < requests.Length; i++)
        {
            var whole = requests[i].Context.Concat(requests[i].Continuation).ToArray();
            int length = requests[i].Continuation.Length;
            Assert.Equal(EvalModels.SumLogProb(model, whole, whole.Length - 1 - length, whole.Length - 1), scores[i].LogProb, 3);
        }
    }

    [Fact]
    public void Continuations_of_a_shared_context_score_as_if_each_were_read_whole()
    {
        using var model = EvalModels.Random(seed: 4);
        int[] longContext = [0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13], shortContext = [0, 20, 21];
        ScoringRequest[] requests =
        [
            new(longContext, [5]), new(shortContext, [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]), new(longContext, [14, 15, 16]),
            new(shortContext, [7]), new(longContext, [2, 2]), new([0, 5], [6, 7]),
            new([0, .. Enumerable.Range(2, 14)], [4, 5]), new([0, .. Enumerable.Range(2, 14)], [6, 7, 8]), // cut from the left: read alone
        ];

        var scores = new LogLikelihoodScorer(model, batchSize: 4).Score(requests);

        for (int i = 0; i < requests.Length; i++)
        {
            var whole = requests[i].Context.Concat(requests[i].Continuation).TakeLast(17).ToArray();
            int length = requests[i].Continuation.Length;
            Assert.Equal(EvalModels.SumLogProb(model, whole, whole.Length - 1 - length, whole.Length - 1), scores[i].LogProb, 4);
            Assert.Equal(length, scores[i].TokenLogProbs.Length);
        }
    }

    [Fact]
    public void Greedy_flag_is_set_exactly_when_every_continuation_token_is_the_argmax()
    {
        using var model = EvalModels.Random(seed: 2);
        int[] context = [0, 5, 6, 7];
        var greedy = new List<int>();
        for (int step = 0; step < 3; step++)
        {
            var logProbs = EvalModels.LogSoftmax(model, [.. context, .. greedy]);
            int last = logProbs.GetLength(0) - 1;
            greedy.Add(Enumerable.Range(0, logProbs.GetLength(1)).MaxBy(v => logProbs[last, v]));
        }
        var notGreedy = greedy.ToArray();
        notGreedy[1] = (notGreedy[1] + 1) % LetterCodec.VocabSize;

        var scores = new LogLikelihoodScorer(model).Score([new(context, greedy.ToArray()), new(context, notGreedy)]);

        Assert.True(scores[0].IsGreedy);
        Assert.False(scores[1].IsGreedy);
    }

    [Fact]
    public void Bad_requests_are_rejected_with_their_index()
    {
        using var model = EvalModels.Random(seed: 3);
        var scorer = new LogLikelihoodScorer(model);
        Assert.Contains("request 1: empty context", Assert.Throws<ArgumentException>(() => scorer.Score([new([0], [2]), new([], [2])])).Message);
        Assert.Contains("token id 99", Assert.Throws<ArgumentException>(() => scorer.Score([new([0], [99])])).Message);
        Assert.Contains("exceeds the model's 16 positions", Assert.Throws<ArgumentException>(() => scorer.Score([new([0], new int[17])])).Message);
    }

    [Fact]
    public void Encoding_moves_trailing_context_spaces_into_the_continuation_and_empty_context_becomes_bos()
    {
        var codec = new LetterCodec();
        var request = RequestEncoding.Encode(codec, "ab ", "cd");
        Assert.Equal(codec.Encode("ab"), request.Context);
        Assert.Equal(codec.Encode(" cd"), request.Continuation);
        Assert.Equal([codec.BosId], RequestEncoding.Encode(codec, "", "cd").Context);
    }
}
