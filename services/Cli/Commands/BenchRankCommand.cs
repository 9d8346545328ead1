using System.ComponentModel;
using Pipeline.ML.Benchmarks;
using Pipeline.ML.Spectral;
using Spectre.Console;
using Spectre.Console.Cli;
using static TorchSharp.torch;

namespace Pipeline.Cli.Commands;

/// <summary><c>pipeline bench rank</c>: analysis time of one checkpoint against the raw svdvals of its ΔW matrices.</summary>
public sealed class BenchRankCommand : Command<BenchRankCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--base <PATH>"), Description("Base weights (.safetensors file or model directory). Omit for a synthetic pair.")]
        public string? BasePath { get; init; }

        [CommandOption("--finetuned <PATH>"), Description("Finetuned or merged weights, same format as --base.")]
        public string? FinetunedPath { get; init; }

        [CommandOption("--layers <N>"), Description("Synthetic pair: decoder layers."), DefaultValue(4)]
        public int Layers { get; init; }

        [CommandOption("--hidden <N>"), Description("Synthetic pair: hidden size."), DefaultValue(256)]
        public int Hidden { get; init; }

        [CommandOption("--intermediate <N>"), Description("Synthetic pair: MLP size."), DefaultValue(688)]
        public int Intermediate { get; init; }

        [CommandOption("--repeats <N>"), Description("Timed repeats; the best is reported."), DefaultValue(3)]
        public int Repeats { get; init; }

        [CommandOption("--device <DEVICE>"), Description("cpu or cuda[:i]."), DefaultValue("cpu")]
        public string Device { get; init; } = "cpu";

        public override ValidationResult Validate()
        {
            if ((BasePath is null) != (FinetunedPath is null))
                return ValidationResult.Error("Give both --base and --finetuned, or neither for the synthetic pair.");
            if (StateDictFiles.Missing(BasePath, FinetunedPath) is { } missing)
                return ValidationResult.Error($"'{missing}' does not exist.");
            if (Repeats < 1) return ValidationResult.Error("--repeats must be at least 1.");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var scope = NewDisposeScope();
        var device = Pipeline.ML.Modeling.DeviceSelection.Resolve(settings.Device);
        var (baseWeights, finetuned) = settings.BasePath is null
            ? RankBenchmark.SyntheticCheckpoint(settings.Layers, settings.Hidden, settings.Intermediate, device: device)
            : (StateDictFiles.Load(settings.BasePath, device), StateDictFiles.Load(settings.FinetunedPath!, device));
        var pairs = WeightPair.Pair(baseWeights, finetuned).ToList();
        var source = settings.BasePath is null
            ? $"synthetic {settings.Layers} layers, d={settings.Hidden}, ffn={settings.Intermediate}"
            : $"{settings.BasePath} → {settings.FinetunedPath}";
        AnsiConsole.MarkupLineInterpolated($"Rank analysis benchmark: {pairs.Count} matrices ({source}) on {device}, best of {settings.Repeats}");

        var result = RankBenchmark.Run(pairs, settings.Repeats);

        var table = new Table().AddColumns("measurement", "seconds", "× raw svdvals");
        table.AddRow("raw svdvals of every ΔW", $"{result.RawSvdvalsSeconds:F4}", "1.00");
        table.AddRow("analysis, warm caches", $"{result.WarmSeconds:F4}", $"{result.WarmRatio:F2}");
        table.AddRow("analysis, cold (first checkpoint)", $"{result.ColdSeconds:F4}", $"{result.ColdRatio:F2}");
        table.AddRow("analysis + intruders, warm", $"{result.WarmWithIntrudersSeconds:F4}", $"{result.WarmWithIntrudersRatio:F2}");
        table.AddRow("analysis + intruders, cold", $"{result.ColdWithIntrudersSeconds:F4}", $"{result.ColdWithIntrudersRatio:F2}");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated(
            $"Target ≤ 1.2× raw svdvals per checkpoint (warm, no intruders): {(result.WarmRatio <= 1.2 ? "met" : "NOT met")} ({result.WarmRatio:F2}×)");
        return 0;
    }
}
