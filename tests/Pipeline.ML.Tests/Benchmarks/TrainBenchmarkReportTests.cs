using System.Text.Json;
using Pipeline.ML.Benchmarks;

namespace Pipeline.ML.Tests.Benchmarks;

public class TrainBenchmarkReportTests
{
    [Fact]
    public void Each_method_reports_its_median_round_and_the_ratio_is_taken_within_rounds()
    {
        // The machine slows down in round 2: full's median round is round 3, LoRA's is round 1, yet within every
        // round LoRA is 1.2× or 1.5× faster, so the ratio of the medians (1.07×) would understate it.
        IReadOnlyList<IReadOnlyList<TrainBenchmarkResult>> rounds =
        [
            [Result("full", 2500, 1000), Result("lora", 3000, 900)],
            [Result("full", 1500, 1100), Result("lora", 2250, 950)],
            [Result("full", 2800, 1000), Result("lora", 3360, 980)],
        ];

        var report = TrainBenchmarkReport.From(rounds);

        Assert.Equal([2500.0, 3000.0], report.Median.Select(r => r.TokensPerSecond));
        Assert.Equal(1.2, report.LoraOverFull!.TokensPerSecond, 12);
        Assert.Equal(0.9, report.LoraOverFull!.PeakRss, 12);
        Assert.Contains("\"LoraOverFull\":{\"TokensPerSecond\":1.2,", JsonSerializer.Serialize(report)); // what --json writes
        Assert.Null(TrainBenchmarkReport.From([[Result("full", 2500, 1000)]]).LoraOverFull);
    }

    private static TrainBenchmarkResult Result(string method, double tokensPerSecond, long peakRssMiB) =>
        new(method, 1, tokensPerSecond, 4096 / tokensPerSecond, 0, 0.1, peakRssMiB << 20, 8, 1, 1);
}
