using System.Globalization;
using Pipeline.Contracts.Reports;

namespace Pipeline.Reporting.Scoring;

/// <summary>A finetuning configuration up to learning rate and seed: what one curve in a figure stands for.</summary>
public sealed record RunConfig(string Method, int? Rank, string Modules, double WeightDecay, double Dropout)
{
    public bool IsFull => Method == "full";
    public bool IsLora => Method == "lora";

    public string Label
    {
        get
        {
            var name = IsFull ? "full FT" : $"{MethodName(Method)} r={Rank} {Modules}";
            if (WeightDecay > 0) name += string.Create(CultureInfo.InvariantCulture, $" wd={WeightDecay:g3}");
            if (Dropout > 0) name += string.Create(CultureInfo.InvariantCulture, $" drop={Dropout:g3}");
            return name;
        }
    }

    public static RunConfig Of(ReportRun run) => new(
        run.Method.ToLowerInvariant(),
        run.Method.Equals("full", StringComparison.OrdinalIgnoreCase) ? null : run.Rank,
        run.Method.Equals("full", StringComparison.OrdinalIgnoreCase) ? "all" : run.TargetModules.ToLowerInvariant(),
        run.WeightDecay,
        run.Dropout);

    private static string MethodName(string method) => method switch
    {
        "lora" => "LoRA", "rslora" => "rsLoRA", "dora" => "DoRA", "loraplus" => "LoRA+", _ => method,
    };
}

public sealed record CurvePoint(long Tokens, Estimate? Target, Estimate? Source, IReadOnlyList<ReportCheckpoint> Checkpoints)
{
    public bool IsBase => Checkpoints.Count > 0 && Checkpoints.All(c => c.IsBase);
}

/// <summary>One configuration at one learning rate, its seeds averaged per token count.</summary>
public sealed record Curve(RunConfig Config, double LearningRate, int Seeds, IReadOnlyList<CurvePoint> Points)
{
    public CurvePoint Final => Points[^1];
    public string Label => $"{Config.Label} lr={Units.Rate(LearningRate)}";
}

/// <summary>The report's view of the input: primary scores per checkpoint and curves per configuration.</summary>
public sealed class StudyData
{
    private readonly Dictionary<string, ReportRun> _runs;

    public ReportInput Input { get; }
    public MetricChoice? Target { get; }
    public MetricChoice? Source { get; }
    public ReportCheckpoint? Base { get; }
    public Estimate? BaseTarget { get; }
    public Estimate? BaseSource { get; }

    /// <summary>Every (configuration, learning rate), ordered by label.</summary>
    public IReadOnlyList<Curve> Curves { get; }

    /// <summary>Each configuration at the learning rate with the best final target score.</summary>
    public IReadOnlyList<Curve> BestCurves { get; }

    public StudyData(ReportInput input)
    {
        Input = input;
        var duplicate = input.Runs.GroupBy(r => r.RunKey).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"report input: run key '{duplicate.Key}' appears {duplicate.Count()} times among the runs");
        _runs = input.Runs.ToDictionary(r => r.RunKey);
        foreach (var c in input.Checkpoints)
            if (!_runs.ContainsKey(c.RunKey))
                throw new ArgumentException($"report input: checkpoint at {c.Tokens} tokens names run '{c.RunKey}', which is not among the runs");

        var baseRun = input.Runs.FirstOrDefault(r => r.Method.Equals("base", StringComparison.OrdinalIgnoreCase));
        Base = baseRun is null ? null : input.Checkpoints.Where(c => c.RunKey == baseRun.RunKey).MinBy(c => c.Tokens);
        Target = MetricChoice.Choose(input.Checkpoints, "target", MetricChoice.TargetPreference);
        Source = MetricChoice.Choose(input.Checkpoints, "source", MetricChoice.SourcePreference);
        BaseTarget = Base is null ? null : Target?.Score(Base);
        BaseSource = Base is null ? null : Source?.Score(Base);

        Curves = input.Runs.Where(r => r != baseRun)
            .GroupBy(r => (Config: RunConfig.Of(r), r.LearningRate))
            .Select(g => BuildCurve(g.Key.Config, g.Key.LearningRate, g.ToList(), input.Checkpoints))
            .Where(c => c.Points.Count > 0)
            .OrderBy(c => c.Config.Label, StringComparer.Ordinal).ThenBy(c => c.LearningRate)
            .ToList();
        BestCurves = Curves.GroupBy(c => c.Config)
            .Select(g => g.OrderByDescending(c => c.Final.Target?.Value ?? double.NegativeInfinity).ThenBy(c => c.LearningRate).First())
            .ToList();
    }

    /// <summary>The training seed of the run a checkpoint belongs to.</summary>
    public int SeedOf(ReportCheckpoint checkpoint) => _runs[checkpoint.RunKey].Seed;

    /// <summary>a − b on a domain's metric, seed by seed, paired by item where the records allow (see <see cref="Comparison"/>).</summary>
    public Effect? Compare(MetricChoice? metric, IReadOnlyList<ReportCheckpoint> a, IReadOnlyList<ReportCheckpoint> b) =>
        metric is null ? null : Comparison.Difference(metric, a, b, SeedOf);

    /// <summary>Full finetuning without the extra regularizers (lowest weight decay and dropout among full runs).</summary>
    public IEnumerable<Curve> PlainFull(IEnumerable<Curve> curves)
    {
        var full = curves.Where(c => c.Config.IsFull).ToList();
        if (full.Count == 0) return full;
        var wd = full.Min(c => c.Config.WeightDecay);
        var dropout = full.Min(c => c.Config.Dropout);
        return full.Where(c => c.Config.WeightDecay == wd && c.Config.Dropout == dropout);
    }

    private Curve BuildCurve(RunConfig config, double lr, IReadOnlyList<ReportRun> runs, IReadOnlyList<ReportCheckpoint> all)
    {
        var keys = runs.Select(r => r.RunKey).ToHashSet();
        var points = all.Where(c => keys.Contains(c.RunKey))
            .GroupBy(c => c.Tokens)
            .OrderBy(g => g.Key)
            .Select(g => new CurvePoint(g.Key, Target?.ScoreOfRepeats(g), Source?.ScoreOfRepeats(g), g.ToList()))
            .ToList();
        return new Curve(config, lr, runs.Count, points);
    }
}
