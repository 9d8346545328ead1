using Pipeline.Contracts.Reports;
namespace Pipeline.Reporting.Tests;

/// <summary>
/// A constructed study in which each finding's effect is set by one knob. Learning grows with log tokens in proportion
/// to a configuration's capacity; forgetting moves along one learning–forgetting line unless a forget factor bends it.
/// </summary>
internal sealed record Scenario(
    double FullCapacity = 1.0,
    double LoraCapacity = 0.6,
    double AttentionFactor = 0.4,
    double LoraForgetFactor = 1.0,
    double RegularizedForgetFactor = 1.6,
    double FullDiversity = 0.40,
    double LoraDiversity = 0.60,
    int MlpRank = 100,
    int AttentionRank = 60,
    int RankGrowthPerDoubling = 6,
    int MiddleLayerBonus = 8,
    int LoraIntruders = 3,
    int FullIntruders = 0,
    double StdErr = 0.004,
    string Regime = "ift")
{
    public static readonly long[] Tokens = [100_000, 200_000, 400_000, 800_000];
    private const double BaseTarget = 0.10, BaseSource = 0.67, Gain = 0.30, ForgetPerGain = 0.6;
    private const int Layers = 4;

    public ReportInput Build()
    {
        var runs = new List<ReportRun> { new("base", "base", null, "all", 0, 0, 0, 0, "completed") };
        var checkpoints = new List<ReportCheckpoint> { Checkpoint("base", 0, 0, 1, 0.70, []) with { IsBase = true } };
        void Add(string method, int? rank, string modules, double lr, double capacity, double forgetFactor, double wd = 0, double dropout = 0, int seeds = 1)
        {
            for (var seed = 0; seed < seeds; seed++)
            {
                var key = $"{method}-{rank}-{modules}-{lr:g2}-{wd}-{dropout}-s{seed}";
                runs.Add(new(key, method, rank, modules, lr, wd, dropout, seed, "completed"));
                var jitter = seeds == 1 ? 0 : (seed % 2 == 0 ? 1 : -1) * StdErr / 2;
                foreach (var (t, i) in Tokens.Select((t, i) => (t, i)))
                    checkpoints.Add(Checkpoint(key, t, capacity * Progress(t) + jitter, forgetFactor,
                        method == "full" ? FullDiversity : LoraDiversity, Ranks(method, i)));
            }
        }
        Add("full", null, "all", 1e-5, FullCapacity * 0.8, 1);
        Add("full", null, "all", 3e-5, FullCapacity, 1, seeds: 2);
        Add("full", null, "all", 3e-5, FullCapacity * 0.9, RegularizedForgetFactor, wd: 0.1);
        Add("full", null, "all", 3e-5, FullCapacity * 0.9, RegularizedForgetFactor, dropout: 0.1);
        Add("lora", 16, "all", 1e-4, LoraCapacity * 0.5, LoraForgetFactor);
        Add("lora", 16, "all", 3e-4, LoraCapacity, LoraForgetFactor, seeds: 2);
        Add("lora", 16, "all", 1e-3, LoraCapacity * 0.7, LoraForgetFactor);
        Add("lora", 4, "all", 3e-4, LoraCapacity * 0.8, LoraForgetFactor);
        Add("lora", 4, "mlp", 3e-4, LoraCapacity * 0.7, LoraForgetFactor);
        Add("lora", 16, "attention", 3e-4, LoraCapacity * AttentionFactor, LoraForgetFactor);
        return new ReportInput($"constructed-{Regime}", Regime, runs, checkpoints, [1, 4, 16, 64], 256);
    }

    private static double Progress(long tokens) => Math.Log2(1 + tokens / 100_000.0) / Math.Log2(1 + Tokens[^1] / 100_000.0);

    private ReportCheckpoint Checkpoint(string run, long tokens, double gain, double forgetFactor, double diversity, IReadOnlyList<ReportRank> ranks)
    {
        var target = BaseTarget + Gain * gain;
        var source = BaseSource - ForgetPerGain * Gain * gain * forgetFactor;
        return new(run, tokens,
        [
            new("gsm8k-mini", "target", "exact_match,strict-match", target, StdErr),
            new("gsm8k-mini", "target", "exact_match,flexible-extract", target + 0.05, StdErr),
            new("gsm8k-mini", "target", "distinct_2", diversity, StdErr),
            new("math-text", "target", "bits_per_byte", 2.0 - target, StdErr),
            new("hellaswag-mini", "source", "acc_norm", source + 0.01, StdErr * Math.Sqrt(2)),
            new("arc-mini", "source", "acc_norm", source - 0.01, StdErr * Math.Sqrt(2)),
            new("prose", "source", "bits_per_byte", 1.5 + (BaseSource - source), StdErr),
        ], ranks);
    }

    private IReadOnlyList<ReportRank> Ranks(string method, int checkpointIndex)
    {
        var growth = RankGrowthPerDoubling * checkpointIndex;
        var intruders = method == "full" ? FullIntruders : LoraIntruders;
        return (from layer in Enumerable.Range(0, Layers)
                from module in new[] { "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj" }
                let mlp = module is "gate_proj" or "up_proj" or "down_proj"
                let middle = layer > 0 && layer < Layers - 1 ? MiddleLayerBonus : 0
                let rank = method == "full" ? (mlp ? MlpRank : AttentionRank) + growth + middle + layer % 2 : 16
                select new ReportRank(layer, module, rank, 150, rank / 3.0, intruders + layer % 2, intruders + layer % 2 + 1, [3.0, 2.0, 1.0])).ToList();
    }
}
