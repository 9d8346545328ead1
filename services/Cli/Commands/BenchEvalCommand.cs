using System.ComponentModel;
using System.Diagnostics;
using Pipeline.ML.Evaluation;
using Pipeline.ML.Modeling;
using Spectre.Console;
using Spectre.Console.Cli;
using static TorchSharp.torch;

namespace Pipeline.Cli.Commands;

/// <summary>
/// Throughput of the evaluation engine on a randomly initialised model of the default tiny shape: forward-only
/// scoring, and greedy generation of a fixed number of new tokens with and without the KV cache.
/// </summary>
public sealed class BenchEvalCommand : Command<BenchEvalCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--device"), Description("cpu or cuda (default: cuda when available)")]
        public string? Device { get; init; }

        [CommandOption("--threads"), Description("Intra-op threads (default: libtorch's choice); 1 avoids OpenMP spinning on a busy machine")]
        public int? Threads { get; init; }

        [CommandOption("--new-tokens"), Description("Tokens generated per run"), DefaultValue(256)]
        public int NewTokens { get; init; }

        [CommandOption("--prompt-tokens"), Description("Prompt length for generation"), DefaultValue(256)]
        public int PromptTokens { get; init; }

        [CommandOption("--batches"), Description("Scoring batches of 8 × 256 tokens"), DefaultValue(8)]
        public int Batches { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        GlibcHeap.UseMmapForLargeBlocks();
        if (settings.Threads is { } threads) set_num_threads(threads);
        var device = new Device(settings.Device ?? (cuda.is_available() ? "cuda" : "cpu"));
        var config = new LlamaConfig { MaxPositionEmbeddings = settings.PromptTokens + settings.NewTokens };
        using var model = new LlamaForCausalLM(config, device);
        model.InitializeWeights(seed: 0);
        AnsiConsole.MarkupLine($"[bold]bench eval[/] on {device}: {config.NumHiddenLayers} layers, d={config.HiddenSize}, {config.NumAttentionHeads} heads, " +
                               $"vocab {config.VocabSize}, {config.ParameterCount / 1e6:F1} M parameters, {get_num_threads()} threads");

        var (scoringRate, memoryGrowth) = Scoring(model, settings.Batches);
        var prompt = RandomTokens(new Random(1), settings.PromptTokens, config.VocabSize);
        var codec = new TokenIdCodec(config.BosTokenId, config.EosTokenId);
        var options = new GenerationOptions { MaxNewTokens = settings.NewTokens, IgnoreEos = true };
        var generator = new TextGenerator(model, codec);
        generator.Generate(prompt, options with { MaxNewTokens = 8 });                     // warm-up
        var (cached, cachedTokens) = Generation(generator, prompt, options);
        var (recomputed, recomputedTokens) = Generation(generator, prompt, options with { UseKvCache = false });
        if (!cachedTokens.SequenceEqual(recomputedTokens)) AnsiConsole.MarkupLine("[red]greedy tokens differ with and without the KV cache[/]");

        var table = new Table().AddColumns("measure", "value");
        table.AddRow("scoring (forward + log-softmax), tokens/s", $"{scoringRate:F0}");
        table.AddRow("scoring working-set growth over the run, MB", $"{memoryGrowth / 1e6:F1}");
        table.AddRow($"generation with KV cache, tokens/s ({settings.PromptTokens}-token prompt)", $"{cached:F1}");
        table.AddRow("generation without KV cache (full recompute), tokens/s", $"{recomputed:F1}");
        table.AddRow("KV cache speedup", $"{cached / recomputed:F1}×");
        table.AddRow("identical greedy tokens", $"{cachedTokens.SequenceEqual(recomputedTokens)}");
        AnsiConsole.Write(table);
        return cachedTokens.SequenceEqual(recomputedTokens) ? 0 : 1;
    }

    /// <summary>Tokens/s of batched scoring, and how much the process grew between the first and last batch.</summary>
    private static (double TokensPerSecond, long MemoryGrowth) Scoring(LlamaForCausalLM model, int batches)
    {
        const int batchSize = 8;
        int length = Math.Min(256, model.Config.MaxPositionEmbeddings);
        var random = new Random(0);
        var requests = Enumerable.Range(0, batchSize * batches)
            .Select(_ => new ScoringRequest([model.Config.BosTokenId], RandomTokens(random, length - 1, model.Config.VocabSize))).ToArray();
        long startMemory = 0;
        var scorer = new LogLikelihoodScorer(model, batchSize, p => { if (p.Done == batchSize) startMemory = Environment.WorkingSet; });
        scorer.Score(requests.Take(batchSize).ToArray());                                    // warm-up
        var clock = Stopwatch.StartNew();
        scorer.Score(requests);
        return (requests.Length * length / clock.Elapsed.TotalSeconds, Environment.WorkingSet - startMemory);
    }

    private static (double TokensPerSecond, int[] Tokens) Generation(TextGenerator generator, int[] prompt, GenerationOptions options)
    {
        var clock = Stopwatch.StartNew();
        var completion = generator.Generate(prompt, options)[0];
        return (completion.Tokens.Length / clock.Elapsed.TotalSeconds, completion.Tokens);
    }

    private static int[] RandomTokens(Random random, int count, int vocab) => Enumerable.Range(0, count).Select(_ => random.Next(3, vocab)).ToArray();
}
