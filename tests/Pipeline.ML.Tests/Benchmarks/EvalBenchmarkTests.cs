using Pipeline.ML.Evaluation;
using static TorchSharp.torch;

using Pipeline.ML.Benchmarks;
using Pipeline.ML.Tests.Evaluation;

namespace Pipeline.ML.Tests.Benchmarks;

public class EvalBenchmarkTests
{
    [Fact]
    public void Benchmark_generates_the_same_greedy_tokens_both_ways_and_reports_rates()
    {
        var config = EvalModels.Config(maxPositions: 96) with { VocabSize = 64 };

        var result = EvalBenchmark.Run(config, CPU, promptTokens: 32, newTokens: 64, scoringBatches: 2);

        Assert.True(result.IdenticalGreedyTokens);
        Assert.True(result.ScoringTokensPerSecond > 0 && result.TrainingTokensPerSecond > 0);
        Assert.True(result.CachedTokensPerSecond > 0 && result.RecomputedTokensPerSecond > 0);
        Assert.Equal((32, 64), (result.PromptTokens, result.NewTokens));
    }
}
