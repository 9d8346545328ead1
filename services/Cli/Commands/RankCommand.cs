using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Pipeline.ML.Spectral;
using Spectre.Console;
using Spectre.Console.Cli;
using static TorchSharp.torch;

namespace Pipeline.Cli.Commands;

/// <summary><c>pipeline rank</c>: spectral analysis of a finetuned checkpoint or a LoRA adapter against its base.</summary>
public sealed class RankCommand : Command<RankCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--base <PATH>"), Description("Base weights (.safetensors file or model directory).")]
        public string BasePath { get; init; } = "";

        [CommandOption("--finetuned <PATH>"), Description("Full-FT or merged weights, same format as --base.")]
        public string? FinetunedPath { get; init; }

        [CommandOption("--adapter <FILE>"), Description("PEFT adapter_model.safetensors (ΔW = s·B·A); needs --scaling.")]
        public string? AdapterPath { get; init; }

        [CommandOption("--scaling <S>"), Description("Adapter scaling: lora_alpha / r (or / √r with rsLoRA).")]
        public double? Scaling { get; init; }

        [CommandOption("--thresholds <LIST>"), Description("Comma-separated variance fractions."), DefaultValue("0.9")]
        public string Thresholds { get; init; } = "0.9";

        [CommandOption("--no-intruders"), Description("Skip intruder dimensions (saves two full SVDs per matrix).")]
        public bool NoIntruders { get; init; }

        [CommandOption("--json"), Description("Print every matrix's result as JSON instead of the per-module table.")]
        public bool Json { get; init; }

        [CommandOption("--device <DEVICE>"), Description("cpu or cuda[:i]."), DefaultValue("cpu")]
        public string Device { get; init; } = "cpu";

        public IReadOnlyList<double> ParsedThresholds() =>
            Thresholds.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(t => double.Parse(t, CultureInfo.InvariantCulture)).ToList();

        public override ValidationResult Validate()
        {
            if (BasePath.Length == 0) return ValidationResult.Error("--base is required.");
            if ((FinetunedPath is null) == (AdapterPath is null))
                return ValidationResult.Error("Give exactly one of --finetuned and --adapter.");
            if (AdapterPath is not null && Scaling is null) return ValidationResult.Error("--adapter needs --scaling.");
            if (StateDictFiles.Missing(BasePath, FinetunedPath, AdapterPath) is { } missing)
                return ValidationResult.Error($"'{missing}' does not exist.");
            try { new SpectralOptions(ParsedThresholds()).Validate(); }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                return ValidationResult.Error($"--thresholds '{Thresholds}': {e.Message}");
            }
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var scope = NewDisposeScope();
        var device = StateDictFiles.ParseDevice(settings.Device);
        var options = new SpectralOptions(settings.ParsedThresholds(), Intruders: !settings.NoIntruders);
        var baseWeights = StateDictFiles.Load(settings.BasePath, device);
        using var analyzer = new SpectralAnalyzer();

        IReadOnlyList<MatrixSpectrum> Analyze(Action<int, int>? progress) => settings.AdapterPath is null
            ? analyzer.Analyze(WeightPair.Pair(baseWeights, StateDictFiles.Load(settings.FinetunedPath!, device)).ToList(), options, progress)
            : analyzer.Analyze(LoraDelta.Pair(baseWeights, StateDictFiles.Load(settings.AdapterPath, device), settings.Scaling!.Value).ToList(), options, progress);

        // JSON goes to stdout alone, so only the table view shows a progress bar.
        var spectra = settings.Json
            ? Analyze(null)
            : AnsiConsole.Progress().Start(ctx =>
            {
                var task = ctx.AddTask("spectra");
                return Analyze((done, total) => { task.MaxValue = total; task.Value = done; });
            });

        if (settings.Json) Console.WriteLine(JsonSerializer.Serialize(spectra, new JsonSerializerOptions
        {
            WriteIndented = true,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,   // ‖ΔW‖/‖W‖ is ∞ for an all-zero base
        }));
        else
        {
            if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 160;   // Spectre assumes 80 columns for files and pipes
            AnsiConsole.Write(SummaryTable(ModuleSummary.Of(spectra), options));
        }
        return 0;
    }

    /// <summary>Mean ranks per module: ΔW, W_base and the Gaussian reference at each threshold, then norms and intruders.</summary>
    private static Table SummaryTable(IReadOnlyList<ModuleSummary> summaries, SpectralOptions options)
    {
        var table = new Table().AddColumns("module", "n");
        foreach (var t in options.Thresholds) table.AddColumns($"ΔW@{t:0.#%}", $"W@{t:0.#%}", $"rand@{t:0.#%}");
        table.AddColumns("stable", "erank", "rel‖ΔW‖");
        if (options.Intruders) foreach (var e in options.Epsilons) table.AddColumn($"ε={e}");

        foreach (var s in summaries)
        {
            var row = new List<string> { s.Module, s.Matrices.ToString() };
            foreach (var r in s.Ranks) row.AddRange([$"{r.Delta:F1}", $"{r.Base:F1}", $"{r.Random:F1}"]);
            row.AddRange([$"{s.StableRank:F1}", $"{s.EffectiveRank:F1}", $"{s.RelativeNorm:F4}"]);
            if (s.Intruders is not null) row.AddRange(s.Intruders.Select(i => i.Count.ToString()));
            table.AddRow(row.ToArray());
        }
        return table.Border(TableBorder.Simple).Caption(
            "mean rank for x% of Σσ² (ΔW, W_base, Gaussian) · stable & entropy rank of ΔW · ‖ΔW‖/‖W‖ · intruders at ε");
    }
}
