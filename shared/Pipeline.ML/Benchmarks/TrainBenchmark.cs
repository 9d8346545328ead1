using System.Diagnostics;
using Pipeline.Data.Datasets;
using Pipeline.ML.Adapters;
using Pipeline.ML.Evaluation;
using Pipeline.ML.Modeling;
using Pipeline.ML.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.ML.Benchmarks;

public sealed record TrainBenchmarkResult(
    string Method, long TrainableParameters, double TokensPerSecond, double StepSeconds,
    double ModelTflops, double MatmulPeakTflops, long PeakRssBytes, int TimedSteps,
    double EarlyRssBytes, double LateRssBytes)
{
    /// <summary>Model-FLOPs utilisation against the measured matmul peak (NaN when none was measured).</summary>
    public double Mfu => ModelTflops / MatmulPeakTflops;

    /// <summary>Resident memory of the last tenth of the timed steps against the first tenth: a leak shows as growth.</summary>
    public double RssGrowth => LateRssBytes / EarlyRssBytes - 1;
}

/// <summary>LoRA's tokens/s and peak resident memory as multiples of full finetuning's.</summary>
public sealed record LoraOverFull(double TokensPerSecond, double PeakRss);

/// <summary>Rounds of the training benchmark: per method the round with the median tokens/s, and LoRA against full FT.</summary>
public sealed record TrainBenchmarkReport(
    IReadOnlyList<TrainBenchmarkResult> Median, IReadOnlyList<IReadOnlyList<TrainBenchmarkResult>> Rounds, LoraOverFull? LoraOverFull)
{
    /// <summary>The LoRA/full ratios are taken within each round, from runs adjacent in time, and their medians reported.</summary>
    public static TrainBenchmarkReport From(IReadOnlyList<IReadOnlyList<TrainBenchmarkResult>> rounds)
    {
        var median = rounds[0].Select(r => r.Method)
            .Select(method => rounds.Select(round => round.Single(r => r.Method == method)).OrderBy(r => r.TokensPerSecond).ElementAt(rounds.Count / 2))
            .ToList();
        var pairs = rounds.Select(round => (Full: round.FirstOrDefault(r => r.Method == "full"), Lora: round.FirstOrDefault(r => r.Method == "lora")))
            .Where(p => p.Full is not null && p.Lora is not null).ToList();
        var ratio = pairs.Count == 0 ? null : new LoraOverFull(
            Statistics.Median(pairs.Select(p => p.Lora!.TokensPerSecond / p.Full!.TokensPerSecond)),
            Statistics.Median(pairs.Select(p => (double)p.Lora!.PeakRssBytes / p.Full!.PeakRssBytes)));
        return new TrainBenchmarkReport(median, rounds, ratio);
    }
}

/// <summary>
/// Measures training throughput of full finetuning and LoRA on one config, against a matmul peak measured in the
/// same process. Model FLOPs per token follow PaLM's accounting: 6·N (N = matmul parameters, lm_head included) plus
/// 12·layers·T·d for attention. The same formula is used for LoRA, so its MFU reads as "full-FT-equivalent work".
/// </summary>
public static class TrainBenchmark
{
    public static double MeasureMatmulPeakTflops(Device device, int size = 2048, int repeats = 20)
    {
        using var scope = NewDisposeScope();
        var a = randn(size, size, device: device);
        var b = randn(size, size, device: device);
        for (int i = 0; i < 3; i++) matmul(a, b).Dispose();
        Synchronize(device);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < repeats; i++) matmul(a, b).Dispose();
        Synchronize(device);
        return 2.0 * size * size * size * repeats / clock.Elapsed.TotalSeconds / 1e12;
    }

    /// <summary>
    /// <see cref="Run"/> with MFU against the higher of two matmul-peak measurements, one before the training steps
    /// and one after: on a shared machine a slow spell during a single measurement would inflate MFU.
    /// </summary>
    public static TrainBenchmarkResult RunAgainstPeak(string method, LlamaConfig config, int batchSize, int steps, int warmup, Device device,
        Action<TrainingProgress>? progress = null)
    {
        double before = MeasureMatmulPeakTflops(device);
        var result = Run(method, config, batchSize, steps, warmup, device, progress);
        return result with { MatmulPeakTflops = Math.Max(before, MeasureMatmulPeakTflops(device)) };
    }

    public static TrainBenchmarkResult Run(string method, LlamaConfig config, int batchSize, int steps, int warmup, Device device,
        Action<TrainingProgress>? progress = null)
    {
        ResetPeakRss();
        using var model = new LlamaForCausalLM(config, device);
        model.InitializeWeights(0);
        if (method != "full") LoraModel.Inject(model, new LoraConfig { Rank = 16, Alpha = 32, TargetModules = ["all"] }, seed: 0);
        var batches = new SyntheticBatches(batchSize, config.MaxPositionEmbeddings, config.VocabSize);
        var stateDirectory = Directory.CreateTempSubdirectory("bench-state").FullName;
        var stepTimes = new List<double>();
        var rss = new List<long>();
        var clock = Stopwatch.StartNew();
        var options = new TrainingOptions
        {
            LearningRate = 1e-4,
            Schedule = new LearningRateSchedule { Kind = ScheduleKind.Constant, TotalSteps = warmup + steps },
            StateEverySteps = int.MaxValue,
        };
        var trainer = new TrainingLoop(model, batches, options, stateDirectory);
        trainer.Progress += step =>
        {
            Synchronize(device);
            stepTimes.Add(clock.Elapsed.TotalSeconds);
            rss.Add(Environment.WorkingSet);
            progress?.Invoke(step);
            clock.Restart();
        };
        try { trainer.Run(); }
        finally { Directory.Delete(stateDirectory, recursive: true); }

        double stepSeconds = stepTimes.Skip(warmup).Average();
        double tokensPerSecond = (double)batchSize * config.MaxPositionEmbeddings / stepSeconds;
        double modelTflops = FlopsPerToken(config) * tokensPerSecond / 1e12;
        long trainable = LoraModel.TrainableParameters(model).Sum(p => p.Parameter.numel());
        var timedRss = rss.Skip(warmup).ToList();
        int tenth = Math.Max(1, timedRss.Count / 10);
        return new TrainBenchmarkResult(method, trainable, tokensPerSecond, stepSeconds, modelTflops, MatmulPeakTflops: double.NaN,
            PeakRssBytes(), steps, timedRss.Take(tenth).Average(), timedRss.TakeLast(tenth).Average());
    }

    public static double FlopsPerToken(LlamaConfig c)
    {
        long d = c.HiddenSize, q = (long)c.NumAttentionHeads * c.HeadDim, kv = (long)c.NumKeyValueHeads * c.HeadDim;
        long perLayer = 2 * d * q + 2 * d * kv + 3 * d * c.IntermediateSize;
        long matmulParameters = c.NumHiddenLayers * perLayer + (long)c.VocabSize * d;
        return 6.0 * matmulParameters + 12.0 * c.NumHiddenLayers * c.MaxPositionEmbeddings * q;
    }

    private static void Synchronize(Device device)
    {
        if (device.type == DeviceType.CUDA) cuda.synchronize(device);
    }

    /// <summary>Linux: writing 5 to clear_refs resets VmHWM, so each measurement gets its own peak.</summary>
    private static void ResetPeakRss()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static long PeakRssBytes()
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) return Environment.WorkingSet;
        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmHWM:"));
        return line is null ? Environment.WorkingSet : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }
}
