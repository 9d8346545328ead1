using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using Pipeline.ML.Benchmarks;
using Pipeline.ML.Modeling;
using Pipeline.ML.Training;
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

        [CommandOption("--rounds"), Description("Rounds of full then LoRA; each figure is the median over rounds."), DefaultValue(3)]
        public int Rounds { get; init; } = 3;

        public override ValidationResult Validate() =>
            Rounds < 1 || Steps < 1 || Warmup < 0 ? ValidationResult.Error("--rounds and --steps must be positive, --warmup not negative") : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Threads is { } threads) torch.set_num_threads(threads);
        var device = DeviceSelection.Resolve(settings.Device);
        var config = ModelPresets.Get(settings.Preset);
        AnsiConsole.MarkupLine($"[bold]bench train[/] preset {settings.Preset} ({config.ParameterCount / 1e6:F1} M parameters, " +
            $"{config.NumHiddenLayers} layers, d={config.HiddenSize}, context {config.MaxPositionEmbeddings}, vocab {config.VocabSize}), " +
            $"batch {settings.Batch}, device {device}, {torch.get_num_threads()} threads");
        if (settings.Method is { } method)
        {
            var result = TrainBenchmark.RunAgainstPeak(method, config, settings.Batch, settings.Steps, settings.Warmup, device, ProgressLine(method));
            if (settings.Json is { } childJson) File.WriteAllText(childJson, JsonSerializer.Serialize(new[] { result }));
            else Print(TrainBenchmarkReport.From([[result]]));
            return 0;
        }
        // Full and LoRA take turns, each round in fresh processes: this machine's speed drifts by tens of percent
        // within minutes, which back-to-back runs of one method and then the other would read as a ratio.
        var rounds = Enumerable.Range(0, settings.Rounds)
            .Select(_ => new[] { "full", "lora" }.Select(m => RunInChildProcess(m, context.Arguments)).ToList()).ToList();
        var report = TrainBenchmarkReport.From(rounds);
        Print(report);
        if (settings.Json is { } path) File.WriteAllText(path, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }

    /// <summary>A line every 10 seconds and at the end, so that a long run (10,000 steps) is not silent.</summary>
    private static Action<TrainingProgress> ProgressLine(string method)
    {
        var sinceLastLine = Stopwatch.StartNew();
        return p =>
        {
            if (sinceLastLine.Elapsed < TimeSpan.FromSeconds(10) && p.Step < p.TotalSteps) return;
            sinceLastLine.Restart();
            Console.WriteLine($"  {method}: step {p.Step:N0}/{p.TotalSteps:N0}, {p.TokensPerSecond:N0} tokens/s, loss {p.Loss:F3}, ETA {p.Eta:hh\\:mm\\:ss}");
        };
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

    private static void Print(TrainBenchmarkReport report)
    {
        var table = new Table().AddColumns("method", "trainable params", "tokens/s", "step (s)", "model TFLOP/s", "MFU", "peak RSS (MiB)",
            "RSS 1st→last 10% (MiB)");
        foreach (var r in report.Median)
            table.AddRow(r.Method, $"{r.TrainableParameters:N0}", $"{r.TokensPerSecond:N0}", $"{r.StepSeconds:F3}",
                $"{r.ModelTflops:F3}", $"{r.Mfu:P1}", $"{r.PeakRssBytes / 1048576.0:N0}",
                $"{r.EarlyRssBytes / 1048576.0:N0}→{r.LateRssBytes / 1048576.0:N0} {r.RssGrowth:+0.0%;-0.0%}");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"{report.Median[0].TimedSteps:N0} timed steps per method and round; " +
            (report.Rounds.Count > 1 ? $"each row is the median round of {report.Rounds.Count} by tokens/s" : "one round"));
        foreach (var round in report.Rounds)
            AnsiConsole.MarkupLine(string.Join("; ", round.Select(r =>
                $"{r.Method} {r.TokensPerSecond:N0} tokens/s, MFU {r.Mfu:P1} (matmul peak 2048² fp32, best of before and after: {r.MatmulPeakTflops * 1000:F1} GFLOP/s)")));
        if (report.LoraOverFull is { } ratio)
            AnsiConsole.MarkupLine($"LoRA/full (median over rounds): tokens/s {ratio.TokensPerSecond:F2}×, peak RSS {ratio.PeakRss:F2}×");
    }
}
