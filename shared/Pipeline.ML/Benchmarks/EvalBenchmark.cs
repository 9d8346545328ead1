using System.Diagnostics;
using Pipeline.ML.Benchmarks;
using Pipeline.ML.Modeling;
using static TorchSharp.torch;

using Pipeline.ML.Evaluation;

namespace Pipeline.ML.Benchmarks;

public sealed record EvalBenchmarkResult(
    double ScoringTokensPerSecond, double ScoringMemoryGrowthBytes, double TrainingTokensPerSecond, int PromptTokens, int NewTokens,
    double CachedTokensPerSecond, double RecomputedTokensPerSecond, bool IdenticalGreedyTokens)
{
    public double KvCacheSpeedup => CachedTokensPerSecond / RecomputedTokensPerSecond;

    /// <summary>Forward-only scoring against full-finetuning training of the same model, batch and length.</summary>
    public double ScoringOverTraining => ScoringTokensPerSecond / TrainingTokensPerSecond;
}

/// <summary>
/// Throughput of the evaluation engine on a randomly initialised model: batched scoring (forward + log-softmax over
/// 16 × min(256, context) tokens per batch), and greedy generation of a fixed number of new tokens after a prompt,
/// with the KV cache and with full recomputation. Memory growth is measured from the end of the first scoring batch
/// to the end of the last, so a leak shows however many batches run (the largest growth of the rounds is reported).
/// Training throughput (full finetuning, the same batches of 16 × 256 tokens) is measured in the same process, in turns
/// with scoring, so that the ratio does not drift with the machine's load.
/// </summary>
public static class EvalBenchmark
{
    private const int ScoringBatchSize = 16; // the evaluator's default (Pipeline:Compute:EvalBatchSize), as training's BatchSize

    public static EvalBenchmarkResult Run(LlamaConfig config, Device device, int promptTokens, int newTokens, int scoringBatches)
    {
        if (promptTokens + newTokens > config.MaxPositionEmbeddings)
            throw new ArgumentException($"prompt {promptTokens} + new {newTokens} tokens exceed max_position_embeddings {config.MaxPositionEmbeddings}");
        using var model = new LlamaForCausalLM(config, device);
        model.InitializeWeights(seed: 0);
        // Scoring and training take turns, and each rate is the median of its rounds: this shared machine's speed
        // drifts by tens of percent over a minute, which a single scoring-then-training pass reads as a ratio.
        var trainingConfig = config with { MaxPositionEmbeddings = ScoringLength(config) };
        var scoring = new List<(double TokensPerSecond, long MemoryGrowth)>();
        var training = new List<double>();
        for (int round = 0; round < Rounds; round++)
        {
            scoring.Add(Scoring(model, scoringBatches));
            training.Add(TrainBenchmark.Run("full", trainingConfig, ScoringBatchSize, steps: 6, warmup: 2, device).TokensPerSecond);
        }

        var prompt = RandomTokens(new Random(1), promptTokens, config.VocabSize);
        var generator = new TextGenerator(model, new TokenIdCodec(config.BosTokenId, config.EosTokenId));
        var options = new GenerationOptions { MaxNewTokens = newTokens, IgnoreEos = true };
        generator.Generate(prompt, options with { MaxNewTokens = 4 });                         // warm-up
        var (cached, cachedTokens) = Generation(generator, prompt, options);
        var (recomputed, recomputedTokens) = Generation(generator, prompt, options with { UseKvCache = false });
        return new EvalBenchmarkResult(Statistics.Median(scoring.Select(r => r.TokensPerSecond)), scoring.Max(r => r.MemoryGrowth), Statistics.Median(training), promptTokens, newTokens, cached, recomputed, cachedTokens.SequenceEqual(recomputedTokens));
    }

    private static (double TokensPerSecond, long MemoryGrowth) Scoring(LlamaForCausalLM model, int batches)
    {
        int length = ScoringLength(model.Config);
        var random = new Random(0);
        var requests = Enumerable.Range(0, ScoringBatchSize * batches)
            .Select(_ => new ScoringRequest([model.Config.BosTokenId], RandomTokens(random, length - 1, model.Config.VocabSize))).ToArray();
        long startMemory = 0;
        var scorer = new LogLikelihoodScorer(model, ScoringBatchSize, p => { if (p.Done == ScoringBatchSize) startMemory = Environment.WorkingSet; });
        scorer.Score(requests.Take(ScoringBatchSize).ToArray());                               // warm-up
        var clock = Stopwatch.StartNew();
        scorer.Score(requests);
        return (requests.Length * length / clock.Elapsed.TotalSeconds, Environment.WorkingSet - startMemory);
    }

    private const int Rounds = 3;

    private static int ScoringLength(LlamaConfig config) => Math.Min(256, config.MaxPositionEmbeddings);

    private static (double TokensPerSecond, int[] Tokens) Generation(TextGenerator generator, int[] prompt, GenerationOptions options)
    {
        var clock = Stopwatch.StartNew();
        var completion = generator.Generate(prompt, options)[0];
        return (completion.Tokens.Length / clock.Elapsed.TotalSeconds, completion.Tokens);
    }

    /// <summary>Ids above the special tokens (BOS, EOS, PAD take the first three).</summary>
    private static int[] RandomTokens(Random random, int count, int vocab) => Enumerable.Range(0, count).Select(_ => random.Next(3, vocab)).ToArray();
}
