using System.ComponentModel;
using System.Text.Json;
using Pipeline.ML.Benchmarks;
using Pipeline.ML.Evaluation;
using Pipeline.ML.Modeling;
using Spectre.Console;
using Spectre.Console.Cli;
using TorchSharp;

namespace Pipeline.Cli.Commands;

/// <summary>`pipeline bench eval`: scoring and generation throughput of the evaluation engine, with and without the KV cache.</summary>
public sealed class BenchEvalCommand : Command<BenchEvalCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--preset"), Description("Model size preset (ci, mini, tiny, small, base)."), DefaultValue("tiny")]
        public string Preset { get; init; } = "tiny";

        [CommandOption("--prompt-tokens <N>"), Description("Prompt length before generation."), DefaultValue(256)] public int PromptTokens { get; init; } = 256;
        [CommandOption("--new-tokens <N>"), Description("Tokens generated per run."), DefaultValue(256)] public int NewTokens { get; init; } = 256;
        [CommandOption("--batches <N>"), Description("Scoring batches of 16 × 256 tokens."), DefaultValue(8)] public int Batches { get; init; } = 8;
        [CommandOption("--device <D>"), DefaultValue("auto")] public string Device { get; init; } = "auto";
        [CommandOption("--threads <N>"), Description("Intra-op threads; 1 avoids OpenMP spin-waits on a busy machine.")] public int? Threads { get; init; }
        [CommandOption("--json <FILE>"), Description("Also write the figures to this file.")] public string? Json { get; init; }

        public override ValidationResult Validate() =>
            PromptTokens < 1 || NewTokens < 1 || Batches < 1 ? ValidationResult.Error("--prompt-tokens, --new-tokens and --batches must be positive") : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Threads is { } threads) torch.set_num_threads(threads);
        var device = DeviceSelection.Resolve(settings.Device);
        // The preset's shape, with room for the prompt and the generated tokens.
        var preset = ModelPresets.Get(settings.Preset);
        var config = preset with { MaxPositionEmbeddings = Math.Max(preset.MaxPositionEmbeddings, settings.PromptTokens + settings.NewTokens) };
        AnsiConsole.MarkupLine($"[bold]bench eval[/] preset {settings.Preset}, {config.ParameterCount / 1e6:F1} M parameters ({config.NumHiddenLayers} layers, d={config.HiddenSize}, " +
                               $"{config.NumAttentionHeads} heads, vocab {config.VocabSize}), device {device}, {torch.get_num_threads()} threads");
        var result = EvalBenchmark.Run(config, device, settings.PromptTokens, settings.NewTokens, settings.Batches);

        var table = new Table().AddColumns("measure", "value");
        table.AddRow("scoring (forward + log-softmax), tokens/s", $"{result.ScoringTokensPerSecond:F0}");
        table.AddRow("scoring memory growth, first to last batch, MB", $"{result.ScoringMemoryGrowthBytes / 1e6:F1}");
        table.AddRow("training (full FT, same model and batches), tokens/s", $"{result.TrainingTokensPerSecond:F0}");
        table.AddRow("scoring / training", $"{result.ScoringOverTraining:F2}×");
        table.AddRow($"generation with KV cache, tokens/s ({result.PromptTokens} prompt + {result.NewTokens} new)", $"{result.CachedTokensPerSecond:F1}");
        table.AddRow("generation without KV cache (full recompute), tokens/s", $"{result.RecomputedTokensPerSecond:F1}");
        table.AddRow("KV cache speedup", $"{result.KvCacheSpeedup:F1}×");
        table.AddRow("identical greedy tokens", $"{result.IdenticalGreedyTokens}");
        AnsiConsole.Write(table);
        if (settings.Json is { } path) File.WriteAllText(path, JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
        return result.IdenticalGreedyTokens ? 0 : 1;
    }
}
