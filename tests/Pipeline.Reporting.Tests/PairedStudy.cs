using Pipeline.Contracts.Reports;
namespace Pipeline.Reporting.Tests;

/// <summary>
/// A constructed study with per-sample records: documents of very different difficulty (a spread both models share),
/// on which LoRA forgets a little less than full FT on every document. Each seed may shift LoRA's advantage.
/// </summary>
internal sealed record PairedStudy(int Documents = 40, double LoraAdvantage = 0.02, double Noise = 0.002, double[]? SeedShifts = null)
{
    public const string Source = "prose", Target = "python";
    public static readonly double[] Progress = [0.5, 1.0];

    public ReportInput Build()
    {
        var random = new Random(7);
        var bytes = Enumerable.Range(0, Documents).Select(i => 300.0 + random.Next(900)).ToArray();
        var sourceBase = Enumerable.Range(0, Documents).Select(_ => 1.2 + 1.6 * random.NextDouble()).ToArray();
        var targetBase = Enumerable.Range(0, Documents).Select(_ => 3.5 + 2.0 * random.NextDouble()).ToArray();
        var noise = Enumerable.Range(0, Documents).Select(_ => Noise * (2 * random.NextDouble() - 1)).ToArray();
        var shifts = SeedShifts ?? [0];

        var runs = new List<ReportRun> { new("base", "base", null, "all", 0, 0, 0, 0, "completed") };
        var checkpoints = new List<ReportCheckpoint> { Checkpoint("base", 0, bytes, sourceBase, targetBase) with { IsBase = true } };
        for (var seed = 0; seed < shifts.Length; seed++)
        {
            runs.Add(new($"full-s{seed}", "full", null, "all", 1e-4, 0, 0, seed, "completed"));
            runs.Add(new($"lora-s{seed}", "lora", 16, "all", 1e-3, 0, 0, seed, "completed"));
            foreach (var p in Progress)
            {
                var tokens = (long)(100_000 * p);
                checkpoints.Add(Checkpoint($"full-s{seed}", tokens, bytes,
                    [.. sourceBase.Select(b => b + 0.3 * p)], [.. targetBase.Select(t => t - 1.2 * p)]));
                var advantage = (LoraAdvantage + shifts[seed]) * p;
                checkpoints.Add(Checkpoint($"lora-s{seed}", tokens, bytes,
                    [.. sourceBase.Select((b, i) => b + 0.3 * p - advantage + noise[i])], [.. targetBase.Select(t => t - 0.8 * p)]));
            }
        }
        return new ReportInput("paired", "cpt", runs, checkpoints, [16], 128);
    }

    /// <summary>Per-document bits/byte in, samples and the pooled metric rows (value and the harness's unpaired SE) out.</summary>
    private static ReportCheckpoint Checkpoint(string run, long tokens, double[] bytes, double[] sourceBits, double[] targetBits) =>
        new(run, tokens,
            [Metric(Source, "source", bytes, sourceBits), Metric(Target, "target", bytes, targetBits)],
            [],
            [.. Samples(Source, "source", bytes, sourceBits), .. Samples(Target, "target", bytes, targetBits)]);

    private static IEnumerable<ReportSample> Samples(string task, string domain, double[] bytes, double[] bits) =>
        bytes.Select((b, i) => new ReportSample(task, domain, i, null, new Dictionary<string, double>
        {
            ["loglikelihood"] = -bits[i] * b * Math.Log(2), ["bytes"] = b,
        }));

    private static ReportMetric Metric(string task, string domain, double[] bytes, double[] bits)
    {
        var (value, stdErr) = PooledBitsPerByte(bytes, bits);
        return new ReportMetric(task, domain, "bits_per_byte", value, stdErr);
    }

    /// <summary>Σ bits·bytes / Σ bytes with the delta-method SE of a ratio, written out by hand.</summary>
    public static (double Value, double StdErr) PooledBitsPerByte(double[] bytes, double[] bits)
    {
        int n = bytes.Length;
        var ratio = bytes.Select((b, i) => b * bits[i]).Sum() / bytes.Sum();
        var residuals = bytes.Select((b, i) => b * bits[i] - ratio * b).ToArray();
        return (ratio, Math.Sqrt(residuals.Sum(e => e * e) / (n - 1) / n) / bytes.Average());
    }
}
