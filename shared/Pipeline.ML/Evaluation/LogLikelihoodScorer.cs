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
/// <para>
/// Continuations of one context (a multiple-choice item's endings) that fit the model whole share one pass over the
/// context: it fills a KV cache, which is then copied for each continuation. The scores are the harness's, computed
/// once per context instead of once per ending.
/// </para>
/// </summary>
public sealed class LogLikelihoodScorer(LlamaForCausalLM model, int batchSize = 8, Action<EvalProgress>? progress = null)
{
    /// <summary>
    /// Trimming the heap page-faults the next batch's activations afresh (~20% of a batch's time when done after every
    /// batch); every 8 batches bounds the growth between trims at ~60 MB for under 3% of the time.
    /// </summary>
    private const int TrimEveryBatches = 8;

    public LlamaForCausalLM Model => model;

    /// <summary>Tokens the model reads at once: its max_position_embeddings.</summary>
    public int MaxLength => model.Config.MaxPositionEmbeddings;

    public IReadOnlyList<LogLikelihood> Score(IReadOnlyList<ScoringRequest> requests)
    {
        for (int i = 0; i < requests.Count; i++) Validate(requests[i], i);
        var (shared, alone) = Partition(requests);
        var results = new LogLikelihood[requests.Count];
        int done = 0, batches = 0;
        void Report(int count)
        {
            done += count;
            if (++batches % TrimEveryBatches == 0) GlibcHeap.ReleaseFreeMemory();
            progress?.Invoke(new EvalProgress("loglikelihood", done, requests.Count));
        }

        using var inference = new InferenceMode(model);
        var longestFirst = alone.OrderByDescending(i => requests[i].Context.Length + requests[i].Continuation.Length).ToArray();
        foreach (var batch in longestFirst.Chunk(batchSize))
        {
            Scatter(batch, ScoreBatch(batch.Select(i => requests[i]).ToArray()), results);
            Report(batch.Length);
        }
        foreach (var groups in SharedBatches(shared, requests))
        {
            var members = groups.SelectMany(g => g).ToArray();
            Scatter(members, ScoreShared(groups.Select(g => g.Select(i => requests[i]).ToArray()).ToArray()), results);
            Report(members.Length);
        }
        GlibcHeap.ReleaseFreeMemory();
        return results;
    }

    private static void Scatter(int[] indices, LogLikelihood[] scored, LogLikelihood[] results)
    {
        for (int j = 0; j < indices.Length; j++) results[indices[j]] = scored[j];
    }

    /// <summary>
    /// Groups of requests that share a context worth sharing (longer than the BOS token that starts every rolling
    /// window) and fit the model without truncation; the rest, alone.
    /// </summary>
    private (int[][] Shared, int[] Alone) Partition(IReadOnlyList<ScoringRequest> requests)
    {
        var groups = Enumerable.Range(0, requests.Count).GroupBy(i => requests[i].Context, TokenSequenceComparer.Instance)
            .Select(g => g.ToArray()).ToList();
        bool Shares(int[] group) => group.Length > 1 && requests[group[0]].Context.Length > 1
            && group.All(i => requests[i].Context.Length + requests[i].Continuation.Length <= MaxLength + 1);
        return ([.. groups.Where(Shares)], [.. groups.Where(g => !Shares(g)).SelectMany(g => g)]);
    }

    /// <summary>
    /// Batches of at most batchSize contexts, whose widest context plus widest continuation fit the cache and whose
    /// continuations read at most batchSize · max_length tokens (what one batch of whole windows reads). Longest
    /// continuations first: each is padded once per ending, a context only once.
    /// </summary>
    private IEnumerable<int[][]> SharedBatches(int[][] groups, IReadOnlyList<ScoringRequest> requests)
    {
        int Width(int[] group) => group.Max(i => requests[i].Continuation.Length) - 1;
        int ContextLength(int[] group) => requests[group[0]].Context.Length;
        var batch = new List<int[]>();
        foreach (var piece in groups.SelectMany(g => g.Chunk(batchSize)).OrderByDescending(Width).ThenByDescending(ContextLength))
        {
            var grown = batch.Append(piece).ToArray();
            int width = grown.Max(Width), rows = grown.Sum(g => g.Length);
            bool fits = grown.Length <= batchSize && grown.Max(ContextLength) + width <= MaxLength && rows * Math.Max(width, 1) <= batchSize * MaxLength;
            if (!fits)
            {
                yield return [.. batch];
                batch.Clear();
            }
            batch.Add(piece);
        }
        if (batch.Count > 0) yield return [.. batch];
    }

    private LogLikelihood[] ScoreBatch(ScoringRequest[] batch)
    {
        using var scope = NewDisposeScope();
        var windows = batch.Select(r => r.Context.Concat(r.Continuation).TakeLast(MaxLength + 1).ToArray()).ToArray();
        int width = windows.Max(w => w.Length) - 1;
        var starts = batch.Select((r, b) => windows[b].Length - 1 - r.Continuation.Length).ToArray();
        int from = starts.Min(); // no row scores a position before this one, so the head skips them
        var inputs = new long[batch.Length * width];
        var targets = new long[batch.Length * (width - from)];
        for (int b = 0; b < batch.Length; b++)
            for (int t = 0; t + 1 < windows[b].Length; t++)
            {
                inputs[b * width + t] = windows[b][t];
                if (t >= from) targets[b * (width - from) + t - from] = windows[b][t + 1];
            }
        var hidden = model.Hidden(tensor(inputs, [batch.Length, width], device: model.Device), null).narrow(1, from, width - from);
        var (logProbs, greedy) = TokenScores(hidden, targets);
        return [.. batch.Select((r, b) => Result(logProbs, greedy, b * (width - from) + starts[b] - from, r.Continuation.Length))];
    }

    /// <summary>
    /// Each group's context is read once (left-padded, into a KV cache), its last position scores every continuation's
    /// first token; the cache is then copied per continuation, which reads its own tokens right-padded.
    /// </summary>
    private LogLikelihood[] ScoreShared(ScoringRequest[][] groups)
    {
        using var scope = NewDisposeScope();
        var device = model.Device;
        var contexts = groups.Select(g => g[0].Context).ToArray();
        var members = groups.SelectMany(g => g).ToArray();
        int contextWidth = contexts.Max(c => c.Length), width = members.Max(r => r.Continuation.Length) - 1;
        var padding = contexts.Select(c => contextWidth - c.Length).ToArray();
        using var cache = new KvCache(model.Config, groups.Length, contextWidth + width, device, leftPadding: padding);

        var contextIds = new long[groups.Length * contextWidth];
        for (int g = 0; g < groups.Length; g++)
            for (int t = 0; t < contexts[g].Length; t++) contextIds[g * contextWidth + padding[g] + t] = contexts[g][t];
        var rows = groups.SelectMany((g, index) => g.Select(_ => (long)index)).ToArray();
        var last = model.Hidden(tensor(contextIds, [groups.Length, contextWidth], device: device), cache).select(1, -1)
            .index_select(0, tensor(rows, device: device));
        var (firstLogProbs, firstGreedy) = TokenScores(last, [.. members.Select(r => (long)r.Continuation[0])]);
        if (width == 0) return [.. members.Select((r, m) => Result(firstLogProbs, firstGreedy, m, 1))];

        var inputs = new long[members.Length * width];
        var targets = new long[members.Length * width];
        for (int m = 0; m < members.Length; m++)
            for (int t = 0; t + 1 < members[m].Continuation.Length; t++)
            {
                inputs[m * width + t] = members[m].Continuation[t];
                targets[m * width + t] = members[m].Continuation[t + 1];
            }
        using var continuations = cache.SelectRows(rows);
        var (logProbs, greedy) = TokenScores(model.Hidden(tensor(inputs, [members.Length, width], device: device), continuations), targets);
        return [.. members.Select((r, m) => Join(
            Result(firstLogProbs, firstGreedy, m, 1), Result(logProbs, greedy, m * width, r.Continuation.Length - 1)))];
    }

    /// <summary>
    /// Each position's log p(target) and whether the target is the argmax, for (…, d) hidden states with one target
    /// per position. The head runs <see cref="LlamaForCausalLM.HeadChunkRows"/> at a time.
    /// </summary>
    private (float[] LogProbs, bool[] Greedy) TokenScores(Tensor hidden, long[] targets)
    {
        var rows = hidden.reshape(-1, hidden.shape[^1]).split(model.HeadChunkRows);
        var target = tensor(targets, device: hidden.device).split(model.HeadChunkRows);
        var chunks = rows.Zip(target, (h, t) => ChunkScores(model.Logits(h), t)).ToList();
        var logProbs = cat(chunks.Select(c => c.LogProbs).ToList(), 0).cpu().data<float>().ToArray();
        var greedy = cat(chunks.Select(c => c.Greedy).ToList(), 0).cpu().data<bool>().ToArray();
        return (logProbs, greedy);
    }

    /// <summary>(n, vocab) logits, overwritten when they are already fp32, and n targets.</summary>
    private static (Tensor LogProbs, Tensor Greedy) ChunkScores(Tensor logits, Tensor target)
    {
        logits = logits.to_type(ScalarType.Float32);
        var picked = logits.gather(-1, target.unsqueeze(-1)).squeeze(-1);
        var (max, argmax) = logits.max(-1); // indices of the first maximum, as argmax
        // log_softmax(x)[t] = x[t] − max − log Σ exp(x − max). The logits are not read again, so the exponentials
        // overwrite them: one pass each for max, x − max and exp, half of logsumexp's and argmax's work.
        var logSumExp = logits.sub_(max.unsqueeze(-1)).exp_().sum(-1).log_().add_(max);
        return (picked - logSumExp, argmax.eq(target));
    }

    private static LogLikelihood Result(float[] tokenLogProbs, bool[] greedy, int from, int length)
    {
        var logProbs = tokenLogProbs.AsSpan(from, length).ToArray();
        return new LogLikelihood(logProbs.Sum(p => (double)p), greedy.AsSpan(from, length).IndexOf(false) < 0, logProbs);
    }

    private static LogLikelihood Join(LogLikelihood first, LogLikelihood rest) =>
        new(first.LogProb + rest.LogProb, first.IsGreedy && rest.IsGreedy, [.. first.TokenLogProbs, .. rest.TokenLogProbs]);

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

    /// <summary>Token sequences compared by content, to find the requests that share a context.</summary>
    private sealed class TokenSequenceComparer : IEqualityComparer<int[]>
    {
        public static readonly TokenSequenceComparer Instance = new();

        public bool Equals(int[]? x, int[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(int[] tokens)
        {
            var hash = new HashCode();
            foreach (var token in tokens) hash.Add(token);
            return hash.ToHashCode();
        }
    }
}
