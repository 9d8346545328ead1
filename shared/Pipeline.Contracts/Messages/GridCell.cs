using System.Globalization;

namespace Pipeline.Contracts;

/// <summary>One cell of the finetuning grid, fully resolved (defaults applied, module presets expanded): see <see cref="Experiments.Experiment.Cell"/>.</summary>
public sealed record GridCell(
    string Method,
    int? Rank,
    double? Alpha,
    IReadOnlyList<string> TargetModules,
    double LearningRate,
    double WeightDecay,
    double Dropout,
    string Optimizer,
    string Schedule,
    double? LoraPlusRatio,
    int Seed)
{
    /// <summary>The cell's natural key within its experiment, e.g. <c>lora-r16-a32-q_proj.v_proj-lr0.0002-wd0-do0.05-lionw-cosine-s1</c>.</summary>
    public string Key
    {
        get
        {
            string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
            var adapter = Rank is { } r && Alpha is { } a ? $"-r{r}-a{F(a)}-{string.Join('.', TargetModules)}" : "";
            var plus = LoraPlusRatio is { } ratio ? $"-plus{F(ratio)}" : "";
            return $"{Method}{adapter}{plus}-lr{F(LearningRate)}-wd{F(WeightDecay)}-do{F(Dropout)}-{Optimizer}-{Schedule}-s{Seed}";
        }
    }
}
