using Pipeline.ML.Modeling;
using static TorchSharp.torch;

namespace Pipeline.ML.Evaluation;

/// <summary>Token ids whose continuation is scored given the context (the context must not be empty: use BOS).</summary>
public sealed record ScoringRequest(int[] Context, int[] Continuation);

/// <summary>Σ log p(continuation | context), whether greedy decoding would produce it, and each token's log p.</summary>
public sealed record LogLikelihood(double LogProb, bool IsGreedy, float[] TokenLogProbs);

/// <summary>
/// Batched, gradient-free log-likelihood of continuations, as lm-evaluation-harness's <c>_loglikelihood_tokens</c>:
/// the model reads (context + continuation)[-(max_length+1):][:-1] and the last len(continuation) positions are
/// scored. Requests run longest first, right-padded (causal attention never sees the padding).
/// </summary>
public sealed class LogLikelihoodScorer(LlamaForCausalLM model, int batchSize = 8, Action<EvalProgress>? progress = null)
{
    public LlamaForCausalLM Model => model;

    /// <summary>Tokens the model reads at once: its max_position_embeddings.</summary>
    public int MaxLength => model.Config.MaxPositionEmbeddings;

    public IReadOnlyList<LogLikelihood> Score(IReadOnlyList<ScoringRequest> requests)
    {
        for (int i = 0; i < requests.Count; i++) Validate(requests[i], i);
        var order = Enumerable.Range(0, requests.Count)
            .OrderByDescending(i => requests[i].Context.Length + requests[i].Continuation.Length).ToArray();
        var results = new LogLikelihood[requests.Count];
        using var inference = new InferenceMode(model);
        for (int start = 0; start < order.Length; start += batchSize)
        {
            var batch = order.AsSpan(start, Math.Min(batchSize, order.Length - start)).ToArray();
            var scored = ScoreBatch(batch.Select(i => requests[i]).ToArray());
            for (int j = 0; j < batch.Length; j++) results[batch[j]] = scored[j];
            GlibcHeap.ReleaseFreeMemory();
            progress?.Invoke(new EvalProgress("loglikelihood", start + batch.Length, order.Length));
        }
        return results;
    }

    private LogLikelihood[] ScoreBatch(ScoringRequest[] batch)
    {
        using var scope = NewDisposeScope();
        var windows = batch.Select(r => r.Context.Concat(r.Continuation).TakeLast(MaxLength + 1).ToArray()).ToArray();
        int width = windows.Max(w => w.Length) - 1;
        var inputs = new long[batch.Length * width];
        var targets = new long[batch.Length * width];
        for (int b = 0; b < batch.Length; b++)
            for (int t = 0; t + 1 < windows[b].Length; t++)
            {
                inputs[b * width + t] = windows[b][t];
                targets[b * width + t] = windows[b][t + 1];
            }
        var device = model.Device;
        var target = tensor(targets, [batch.Length, width], device: device);
        var logits = model.Forward(tensor(inputs, [batch.Length, width], device: device), null).to_type(ScalarType.Float32);
        var tokenLogProbs = logits.log_softmax(-1).gather(-1, target.unsqueeze(-1)).squeeze(-1).cpu().data<float>().ToArray();
        var greedy = logits.argmax(-1).eq(target).cpu().data<bool>().ToArray();

        var results = new LogLikelihood[batch.Length];
        for (int b = 0; b < batch.Length; b++)
        {
            int length = batch[b].Continuation.Length, from = b * width + windows[b].Length - 1 - length;
            var logProbs = tokenLogProbs.AsSpan(from, length).ToArray();
            bool isGreedy = greedy.AsSpan(from, length).IndexOf(false) < 0;
            results[b] = new LogLikelihood(logProbs.Sum(p => (double)p), isGreedy, logProbs);
        }
        return results;
    }

    private void Validate(ScoringRequest request, int index)
    {
        if (request.Context.Length == 0) throw new ArgumentException($"request {index}: empty context (start it with the BOS token)");
        if (request.Continuation.Length == 0) throw new ArgumentException($"request {index}: empty continuation");
        if (request.Continuation.Length > MaxLength)
            throw new ArgumentException($"request {index}: continuation of {request.Continuation.Length} tokens exceeds the model's {MaxLength} positions");
        int vocab = model.Config.VocabSize;
        foreach (var id in request.Context.Concat(request.Continuation))
            if (id < 0 || id >= vocab) throw new ArgumentException($"request {index}: token id {id} is outside the vocabulary [0, {vocab})");
    }
}
