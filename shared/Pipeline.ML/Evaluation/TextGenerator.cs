using Pipeline.ML.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.ML.Evaluation;

/// <summary>Decoding settings. Temperature 0 is greedy; <see cref="Stop"/> strings end a completion and are cut off.</summary>
public sealed record GenerationOptions
{
    public int MaxNewTokens { get; init; } = 256;
    public double Temperature { get; init; }
    public double TopP { get; init; } = 1.0;
    public long Seed { get; init; }
    public bool UseKvCache { get; init; } = true;
    public IReadOnlyList<string> Stop { get; init; } = [];

    /// <summary>Keep going past EOS (vLLM's ignore_eos), for benchmarks that need an exact number of new tokens.</summary>
    public bool IgnoreEos { get; init; }
}

public enum FinishReason { Stop, EndOfSequence, Length }

/// <summary>A completion's text (cut before the first stop string), the tokens generated and why it ended.</summary>
public sealed record Completion(string Text, int[] Tokens, FinishReason Finish);

/// <summary>
/// Autoregressive decoding of <c>count</c> completions of one prompt in a batch. With the KV cache the prompt is
/// prefilled once and each step feeds one token; without it every step recomputes the whole sequence (the two give
/// the same greedy tokens; the second exists to check and to benchmark the first).
/// </summary>
public sealed class TextGenerator(LlamaForCausalLM model, ITextCodec codec)
{
    public IReadOnlyList<Completion> Generate(string prompt, GenerationOptions options, int count = 1) =>
        Generate(codec.Encode(prompt), options, count);

    public IReadOnlyList<Completion> Generate(int[] prompt, GenerationOptions options, int count = 1)
    {
        int maxPositions = model.Config.MaxPositionEmbeddings;
        if (options.MaxNewTokens < 1 || options.MaxNewTokens >= maxPositions)
            throw new ArgumentException($"max new tokens {options.MaxNewTokens} must be in [1, {maxPositions})");
        if (count < 1) throw new ArgumentException($"count {count} must be positive");
        // As the harness: an empty prompt starts from BOS, a long one keeps its last max_length − max_gen_toks tokens.
        prompt = prompt.Length == 0 ? [codec.BosId] : prompt.TakeLast(maxPositions - options.MaxNewTokens).ToArray();

        var rows = Enumerable.Range(0, count).Select(_ => new Row(codec, options)).ToArray();
        var device = model.Device;
        using var inference = new InferenceMode(model);
        using var generator = options.Temperature > 0 ? new torch.Generator((ulong)options.Seed, device) : null;
        using var cache = options.UseKvCache ? new KvCache(model.Config, count, prompt.Length + options.MaxNewTokens, device) : null;
        long[]? last = null;
        for (int step = 0; step < options.MaxNewTokens && rows.Any(r => r.Finish is null); step++)
        {
            using var scope = NewDisposeScope();
            var input = cache is not null && last is not null
                ? tensor(last, [count, 1], device: device)
                : tensor(Inputs(prompt, rows, count), [count, prompt.Length + step], device: device);
            var logits = model.Forward(input, cache).select(1, -1);
            last = TokenSampler.Next(logits, options.Temperature, options.TopP, generator).cpu().data<long>().ToArray();
            for (int r = 0; r < count; r++) rows[r].Append((int)last[r]);
        }
        GlibcHeap.ReleaseFreeMemory(); // every prompt length leaves differently sized free blocks behind
        return rows.Select(r => r.ToCompletion()).ToArray();
    }

    private static long[] Inputs(int[] prompt, Row[] rows, int count)
    {
        int width = prompt.Length + rows[0].All.Count;
        var ids = new long[count * width];
        for (int r = 0; r < count; r++)
        {
            for (int t = 0; t < prompt.Length; t++) ids[r * width + t] = prompt[t];
            for (int t = 0; t < rows[r].All.Count; t++) ids[r * width + prompt.Length + t] = rows[r].All[t];
        }
        return ids;
    }

    /// <summary>One completion in the batch. It keeps every sampled token (the batch moves in lockstep) but stops reading them once finished.</summary>
    private sealed class Row(ITextCodec codec, GenerationOptions options)
    {
        private readonly List<int> kept = [];
        private string? text;

        public List<int> All { get; } = [];
        public FinishReason? Finish { get; private set; }

        public void Append(int token)
        {
            All.Add(token);
            if (Finish is not null) return;
            if (token == codec.EosId && !options.IgnoreEos) { Finish = FinishReason.EndOfSequence; return; }
            kept.Add(token);
            if (options.Stop.Count == 0) return;
            var decoded = codec.Decode(kept);
            int cut = StopIndex(decoded);
            if (cut >= 0)
            {
                text = decoded[..cut];
                Finish = FinishReason.Stop;
            }
        }

        public Completion ToCompletion() => new(text ?? codec.Decode(kept), kept.ToArray(), Finish ?? FinishReason.Length);

        private int StopIndex(string s) =>
            options.Stop.Where(x => x.Length > 0).Select(x => s.IndexOf(x, StringComparison.Ordinal)).Where(i => i >= 0).DefaultIfEmpty(-1).Min();
    }
}
