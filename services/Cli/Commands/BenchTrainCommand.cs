using System.ComponentModel;
using System.Text.Json;
using Pipeline.ML.Benchmarks;
using Pipeline.ML.Modeling;
using Spectre.Console;
using Spectre.Console.Cli;
using TorchSharp;

namespace Pipeline.Cli.Commands;

/// <summary>`pipeline bench train`: full finetuning against LoRA, tokens/s, MFU and peak memory.</summary>
public sealed class BenchTrainCommand : Command<BenchTrainCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--preset"), Description("Model size preset (ci, tiny, small, base)."), DefaultValue("tiny")]
        public string Preset { get; init; } = "tiny";

        [CommandOption("--batch"), DefaultValue(16)] public int Batch { get; init; } = 16;
        [CommandOption("--steps"), Description("Timed steps per method."), DefaultValue(8)] public int Steps { get; init; } = 8;
        [CommandOption("--warmup"), DefaultValue(2)] public int Warmup { get; init; } = 2;
        [CommandOption("--device"), DefaultValue("auto")] public string Device { get; init; } = "auto";
        [CommandOption("--threads"), Description("Intra-op threads (default: all cores).")] public int? Threads { get; init; }
        [CommandOption("--json"), Description("Also write the figures to this file.")] public string? Json { get; init; }

        [CommandOption("--method"), Description("full or lora; default both, each in its own process so peak memory is its own.")]
        public string? Method { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Threads is { } threads) torch.set_num_threads(threads);
        var device = DeviceSelection.Resolve(settings.Device);
        var config = ModelPresets.Get(settings.Preset);
        AnsiConsole.MarkupLine($"[bold]bench train[/] preset {settings.Preset} ({config.ParameterCount / 1e6:F1} M parameters, " +
            $"{config.NumHiddenLayers} layers, d={config.HiddenSize}, context {config.MaxPositionEmbeddings}, vocab {config.VocabSize}), " +
            $"batch {settings.Batch}, device {device}, {torch.get_num_threads()} threads");
        var results = settings.Method is { } method
            ? [TrainBenchmark.Run(method, config, settings.Batch, settings.Steps, settings.Warmup, device, TrainBenchmark.MeasureMatmulPeakTflops(device))]
            : new[] { "full", "lora" }.Select(m => RunInChildProcess(m, context.Arguments)).ToList();
        if (settings.Method is null || settings.Json is null) Print(results);
        if (settings.Json is { } path) File.WriteAllText(path, JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }

    private static TrainBenchmarkResult RunInChildProcess(string method, IReadOnlyList<string> arguments)
    {
        var json = Path.GetTempFileName();
        try
        {
            ChildProcess.RunSelf([.. arguments.Where((a, i) => !IsJsonOption(arguments, i)), "--method", method, "--json", json]);
            return JsonSerializer.Deserialize<TrainBenchmarkResult[]>(File.ReadAllText(json))![0];
        }
        finally
        {
            File.Delete(json);
        }
    }

    private static bool IsJsonOption(IReadOnlyList<string> arguments, int i) =>
        arguments[i] == "--json" || (i > 0 && arguments[i - 1] == "--json");

    private static void Print(IReadOnlyList<TrainBenchmarkResult> results)
    {
        var table = new Table().AddColumns("method", "trainable params", "tokens/s", "step (s)", "model TFLOP/s", "MFU", "peak RSS (MiB)",
            "RSS 1st→last 10% (MiB)");
        foreach (var r in results)
            table.AddRow(r.Method, $"{r.TrainableParameters:N0}", $"{r.TokensPerSecond:N0}", $"{r.StepSeconds:F3}",
                $"{r.ModelTflops:F3}", $"{r.Mfu:P1}", $"{r.PeakRssBytes / 1048576.0:N0}",
                $"{r.EarlyRssBytes / 1048576.0:N0}→{r.LateRssBytes / 1048576.0:N0} {r.RssGrowth:+0.0%;-0.0%}");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"{results[0].TimedSteps:N0} timed steps per method");
        foreach (var r in results) AnsiConsole.MarkupLine($"{r.Method}: matmul peak (2048² fp32, same process) {r.MatmulPeakTflops * 1000:F1} GFLOP/s");
        if (results.Count == 2)
            AnsiConsole.MarkupLine($"LoRA/full: tokens/s {results[1].TokensPerSecond / results[0].TokensPerSecond:F2}×, peak RSS {(double)results[1].PeakRssBytes / results[0].PeakRssBytes:F2}×");
    }
}
