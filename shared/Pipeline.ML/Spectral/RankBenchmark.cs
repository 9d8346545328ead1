using System.Diagnostics;
using static TorchSharp.torch;

namespace Pipeline.ML.Spectral;

/// <summary>
/// Wall-clock seconds (best of the repeats) to analyse one checkpoint, against the raw <c>svdvals</c> of its ΔW
/// matrices. Cold: a fresh analyzer, which decomposes W_base and draws the Gaussian references. Warm: the next
/// checkpoint of the same run, whose base work is cached.
/// </summary>
public sealed record RankBenchmarkResult(
    int Matrices,
    string Device,
    double RawSvdvalsSeconds,
    double ColdSeconds,
    double WarmSeconds,
    double ColdWithIntrudersSeconds,
    double WarmWithIntrudersSeconds)
{
    public double ColdRatio => ColdSeconds / RawSvdvalsSeconds;
    public double WarmRatio => WarmSeconds / RawSvdvalsSeconds;
    public double ColdWithIntrudersRatio => ColdWithIntrudersSeconds / RawSvdvalsSeconds;
    public double WarmWithIntrudersRatio => WarmWithIntrudersSeconds / RawSvdvalsSeconds;
}

public static class RankBenchmark
{
    public static RankBenchmarkResult Run(IReadOnlyList<WeightPair> checkpoint, int repeats = 3)
    {
        if (checkpoint.Count == 0) throw new ArgumentException("The checkpoint has no projection weights to analyse.", nameof(checkpoint));
        if (repeats < 1) throw new ArgumentException($"repeats must be positive, got {repeats}.", nameof(repeats));
        var device = checkpoint[0].Base.device;
        var withoutIntruders = SpectralOptions.Default with { Intruders = false };
        var withIntruders = SpectralOptions.Default;

        RawSvdvals(checkpoint.Take(1).ToList());   // first-call library warm-up, untimed
        double raw = Best(repeats, () => RawSvdvals(checkpoint));
        var (cold, warm) = ColdAndWarm(checkpoint, withoutIntruders, repeats);
        var (coldIntruders, warmIntruders) = ColdAndWarm(checkpoint, withIntruders, repeats);
        return new RankBenchmarkResult(checkpoint.Count, device.ToString(), raw, cold, warm, coldIntruders, warmIntruders);
    }

    /// <summary>
    /// A synthetic Llama-shaped base and finetuned state dict: W_base = 0.02·G plus a few strong directions (as trained
    /// weights have), ΔW = dense noise plus a low-rank drift, so ΔW has a realistic high-rank, decaying spectrum.
    /// </summary>
    public static (Dictionary<string, Tensor> Base, Dictionary<string, Tensor> Finetuned) SyntheticCheckpoint(
        int layers = 4, int hidden = 256, int intermediate = 688, long seed = 0, Device? device = null)
    {
        device ??= CPU;
        var generator = new Generator(unchecked((ulong)seed), CPU);
        Tensor Gaussian(long rows, long cols) => randn(rows, cols, generator: generator);

        var baseWeights = new Dictionary<string, Tensor>();
        var finetuned = new Dictionary<string, Tensor>();
        foreach (var (name, rows, cols) in ProjectionShapes(layers, hidden, intermediate))
        {
            using var scope = NewDisposeScope();
            var w0 = 0.02f * Gaussian(rows, cols) + 0.05f * Gaussian(rows, 8).matmul(Gaussian(8, cols)) / MathF.Sqrt(cols);
            var delta = 0.002f * Gaussian(rows, cols) + 0.004f * Gaussian(rows, 16).matmul(Gaussian(16, cols)) / MathF.Sqrt(cols);
            baseWeights[name] = w0.to(device).MoveToOuterDisposeScope();
            finetuned[name] = (w0 + delta).to(device).MoveToOuterDisposeScope();
        }
        return (baseWeights, finetuned);
    }

    private static IEnumerable<(string Name, long Rows, long Cols)> ProjectionShapes(int layers, int hidden, int intermediate)
    {
        for (int i = 0; i < layers; i++)
        {
            foreach (var p in new[] { "q", "k", "v", "o" })
                yield return ($"model.layers.{i}.self_attn.{p}_proj.weight", hidden, hidden);
            yield return ($"model.layers.{i}.mlp.gate_proj.weight", intermediate, hidden);
            yield return ($"model.layers.{i}.mlp.up_proj.weight", intermediate, hidden);
            yield return ($"model.layers.{i}.mlp.down_proj.weight", hidden, intermediate);
        }
    }

    private static (double Cold, double Warm) ColdAndWarm(IReadOnlyList<WeightPair> checkpoint, SpectralOptions options, int repeats)
    {
        double cold = double.MaxValue, warm = double.MaxValue;
        for (int r = 0; r < repeats; r++)
        {
            using var analyzer = new SpectralAnalyzer();
            cold = Math.Min(cold, Time(() => analyzer.Analyze(checkpoint, options)));
            warm = Math.Min(warm, Time(() => analyzer.Analyze(checkpoint, options)));
        }
        return (cold, warm);
    }

    /// <summary>svdvals of each precomputed ΔW; copying σ to the host is what waits for an asynchronous device.</summary>
    private static double RawSvdvals(IReadOnlyList<WeightPair> checkpoint)
    {
        using var scope = NewDisposeScope();
        var deltas = checkpoint
            .Select(p => p.Finetuned.to(ScalarType.Float32, p.Base.device) - p.Base.to(ScalarType.Float32))
            .ToList();
        return Time(() =>
        {
            foreach (var delta in deltas)
            {
                using var inner = NewDisposeScope();
                linalg.svdvals(delta).cpu();
            }
        });
    }

    private static double Best(int repeats, Func<double> measure) =>
        Enumerable.Range(0, repeats).Min(_ => measure());

    private static double Time(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }
}
