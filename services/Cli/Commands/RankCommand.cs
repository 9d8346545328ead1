using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Pipeline.ML.Modeling;
using Pipeline.ML.Spectral;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pipeline.Cli.Commands;

/// <summary><c>pipeline rank</c>: spectral analysis of a finetuned checkpoint or a LoRA adapter against its base.</summary>
public sealed class RankCommand : Command<RankCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--base <DIR>"), Description("Base model: a Hugging Face model directory.")]
        public string BasePath { get; init; } = "";

        [CommandOption("--finetuned <DIR>"), Description("Full-finetuning checkpoint: a Hugging Face model directory.")]
        public string? FinetunedPath { get; init; }

        [CommandOption("--adapter <DIR>"), Description("PEFT adapter directory (LoRA, rsLoRA, DoRA; scaling from adapter_config.json).")]
        public string? AdapterPath { get; init; }

        [CommandOption("--thresholds <LIST>"), Description("Comma-separated variance fractions."), DefaultValue("0.9")]
        public string Thresholds { get; init; } = "0.9";

        [CommandOption("--no-intruders"), Description("Skip intruder dimensions (saves two full SVDs per matrix).")]
        public bool NoIntruders { get; init; }

        [CommandOption("--json"), Description("Print every matrix's result as JSON instead of the per-module table.")]
        public bool Json { get; init; }

        [CommandOption("--device <DEVICE>"), Description("auto, cpu or cuda[:i]."), DefaultValue("auto")]
        public string Device { get; init; } = "auto";

        public IReadOnlyList<double> ParsedThresholds() =>
            Thresholds.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(t => double.Parse(t, CultureInfo.InvariantCulture)).ToList();

        public override ValidationResult Validate()
        {
            if (BasePath.Length == 0) return ValidationResult.Error("--base is required.");
            if ((FinetunedPath is null) == (AdapterPath is null))
                return ValidationResult.Error("Give exactly one of --finetuned and --adapter.");
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
        var device = DeviceSelection.Resolve(settings.Device);
        var options = new SpectralOptions(settings.ParsedThresholds(), Intruders: !settings.NoIntruders);
        using var analyzer = new SpectralAnalyzer();

        IReadOnlyList<MatrixSpectrum> Analyze(Action<int, int>? progress) => settings.AdapterPath is null
            ? CheckpointSpectra.OfModel(analyzer, settings.BasePath, settings.FinetunedPath!, options, device, progress)
            : CheckpointSpectra.OfAdapter(analyzer, settings.BasePath, settings.AdapterPath, options, device, progress);

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
