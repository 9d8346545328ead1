using System.ComponentModel;
using Pipeline.Cli.Hosting;
using Pipeline.Cli.Views;
using Pipeline.Persistence.Queries;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pipeline.Cli.Commands;

public sealed class ResultsCommand : AsyncCommand<ResultsCommand.Settings>
{
    public sealed class Settings : PipelineCommandSettings
    {
        [CommandArgument(0, "[EXPERIMENT]")]
        public string? Experiment { get; init; }

        [CommandOption("--format <FORMAT>")]
        [Description("table (default), csv or json.")]
        [DefaultValue("table")]
        public string Format { get; init; } = "table";

        [CommandOption("--method <METHOD>")]
        public string? Method { get; init; }

        [CommandOption("--rank <RANK>")]
        public int? Rank { get; init; }

        [CommandOption("--metric <METRIC>")]
        public string? Metric { get; init; }

        [CommandOption("--ranks")]
        [Description("Show the rank analyses of ΔW instead of the metrics.")]
        public bool Ranks { get; init; }

        [CommandOption("--samples")]
        [Description("Export the per-item records as lm-eval's samples_<task>.jsonl (JSONL to stdout, or files under --out).")]
        public bool Samples { get; init; }

        [CommandOption("--task <TASK>")]
        [Description("With --samples: only this task.")]
        public string? Task { get; init; }

        [CommandOption("--run <RUN>")]
        [Description("With --samples: only this run (its cell key, as `pipeline status` lists it).")]
        public string? Run { get; init; }

        [CommandOption("--out <DIR>")]
        [Description("With --samples: write DIR/<run>/<tokens>/samples_<task>.jsonl instead of stdout.")]
        public string? Out { get; init; }

        public override ValidationResult Validate()
        {
            if (Format is not ("table" or "csv" or "json")) return ValidationResult.Error($"--format must be table, csv or json, not '{Format}'");
            if (Samples && Experiment is null) return ValidationResult.Error("--samples needs an EXPERIMENT");
            if (!Samples && (Task ?? Run ?? Out) is not null) return ValidationResult.Error("--task, --run and --out apply to --samples only");
            return ValidationResult.Success();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        await using var db = await CliHosts.OpenDatabaseAsync(CliHosts.Settings(settings), cancellationToken);
        if (settings.Samples) return await ExportSamplesAsync(db, settings, cancellationToken);
        var filter = new ResultFilter(settings.Experiment, settings.Method, settings.Rank, settings.Metric);
        if (settings.Ranks) ResultsView.Ranks(await ResultsQueries.RanksAsync(db, filter, cancellationToken), settings.Format);
        else ResultsView.Metrics(await ResultsQueries.MetricsAsync(db, filter, cancellationToken), settings.Format, allMetrics: settings.Metric is not null);
        return 0;
    }

    static async Task<int> ExportSamplesAsync(Persistence.ResultsDb db, Settings settings, CancellationToken ct)
    {
        var samples = await ResultsQueries.SamplesAsync(db, new SampleFilter(settings.Experiment!, settings.Run, settings.Task), ct);
        if (samples.Count == 0)
        {
            Console.Error.WriteLine($"error: no per-sample records in experiment '{settings.Experiment}'"
                + (settings.Run is null ? "" : $", run '{settings.Run}'") + (settings.Task is null ? "" : $", task '{settings.Task}'")
                + " (checkpoints evaluated before records were kept have none)");
            return 1;
        }
        if (settings.Out is null)
            foreach (var sample in samples) Console.Out.WriteLine(SamplesExport.Line(sample));
        else
            Console.Error.WriteLine($"wrote {SamplesExport.WriteFiles(samples, settings.Out).Count} files under {settings.Out}");
        return 0;
    }
}
