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
/// Autoregressive decoding of a batch: <c>count</c> completions of one prompt, or one completion of each of several
/// prompts, left-padded to a common length. With the KV cache the prompts are prefilled once and each step feeds one
/// token; without it every step recomputes the whole sequence (the two give the same greedy tokens; the second exists
/// to check and to benchmark the first, and decodes prompts of different lengths one at a time).
/// </summary>
public sealed class TextGenerator(LlamaForCausalLM model, ITextCodec codec)
{
    public IReadOnlyList<Completion> Generate(string prompt, GenerationOptions options, int count = 1) =>
        Generate(codec.Encode(prompt), options, count);

    public IReadOnlyList<Completion> Generate(int[] prompt, GenerationOptions options, int count = 1)
    {
        if (count < 1) throw new ArgumentException($"count {count} must be positive");
        return Decode(Enumerable.Repeat(prompt, count).ToArray(), Enumerable.Repeat(options.Stop, count).ToArray(), options);
    }

    /// <summary>One completion per prompt, in one batch; <paramref name="stops"/> gives each prompt its own stop strings (default: the options').</summary>
    public IReadOnlyList<Completion> Generate(IReadOnlyList<string> prompts, GenerationOptions options, IReadOnlyList<IReadOnlyList<string>>? stops = null)
    {
        if (prompts.Count == 0) throw new ArgumentException("no prompts to complete");
        if (stops is not null && stops.Count != prompts.Count) throw new ArgumentException($"{stops.Count} stop lists for {prompts.Count} prompts");
        var encoded = prompts.Select(codec.Encode).ToArray();
        var stopLists = stops?.ToArray() ?? Enumerable.Repeat(options.Stop, prompts.Count).ToArray();
        if (options.UseKvCache || encoded.All(p => p.Length == encoded[0].Length)) return Decode(encoded, stopLists, options);
        return encoded.Select((p, i) => Decode([p], [stopLists[i]], options)[0]).ToArray();
    }

    private Completion[] Decode(int[][] prompts, IReadOnlyList<string>[] stops, GenerationOptions options)
    {
        int maxPositions = model.Config.MaxPositionEmbeddings;
        if (options.MaxNewTokens < 1 || options.MaxNewTokens >= maxPositions)
            throw new ArgumentException($"max new tokens {options.MaxNewTokens} must be in [1, {maxPositions})");
        // As the harness: an empty prompt starts from BOS, a long one keeps its last max_length − max_gen_toks tokens.
        prompts = prompts.Select(p => p.Length == 0 ? [codec.BosId] : p.TakeLast(maxPositions - options.MaxNewTokens).ToArray()).ToArray();
        int width = prompts.Max(p => p.Length), count = prompts.Length;
        var padding = prompts.Select(p => width - p.Length).ToArray();

        var rows = stops.Select(stop => new Row(codec, options with { Stop = stop })).ToArray();
        var device = model.Device;
        using var inference = new InferenceMode(model);
        using var generator = options.Temperature > 0 ? new torch.Generator((ulong)options.Seed, device) : null;
        using var cache = options.UseKvCache ? new KvCache(model.Config, count, width + options.MaxNewTokens, device, leftPadding: padding) : null;
        long[]? last = null;
        for (int step = 0; step < options.MaxNewTokens && rows.Any(r => r.Finish is null); step++)
        {
            using var scope = NewDisposeScope();
            var input = cache is not null && last is not null
                ? tensor(last, [count, 1], device: device)
                : tensor(Inputs(prompts, width, rows), [count, width + step], device: device);
            var logits = model.NextTokenLogits(input, cache);
            last = TokenSampler.Next(logits, options.Temperature, options.TopP, generator).cpu().data<long>().ToArray();
            for (int r = 0; r < count; r++) rows[r].Append((int)last[r]);
        }
        GlibcHeap.ReleaseFreeMemory(); // every prompt length leaves differently sized free blocks behind
        return rows.Select(r => r.ToCompletion()).ToArray();
    }

    /// <summary>Each row's prompt, left-padded to <paramref name="width"/> with token 0 (masked), then its tokens so far.</summary>
    private static long[] Inputs(int[][] prompts, int width, Row[] rows)
    {
        int length = width + rows[0].All.Count;
        var ids = new long[rows.Length * length];
        for (int r = 0; r < rows.Length; r++)
        {
            int offset = r * length + width - prompts[r].Length;
            for (int t = 0; t < prompts[r].Length; t++) ids[offset + t] = prompts[r][t];
            for (int t = 0; t < rows[r].All.Count; t++) ids[r * length + width + t] = rows[r].All[t];
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
