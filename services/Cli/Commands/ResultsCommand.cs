using System.ComponentModel;
using Microsoft.EntityFrameworkCore;
using Pipeline.Cli.Hosting;
using Pipeline.Cli.Views;
using Pipeline.Data;
using Pipeline.Persistence;
using Pipeline.Persistence.Queries;
using Pipeline.Persistence.Rows;
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

    static async Task<int> ExportSamplesAsync(ResultsDb db, Settings settings, CancellationToken ct)
    {
        var pipeline = CliHosts.Settings(settings);
        if (await CliHosts.FindExperimentAsync(db, pipeline, settings.Experiment!, ct) is not { } experiment) return 1;
        if (await UnknownFilterAsync(db, experiment, settings, ct) is { } error)
        {
            Console.Error.WriteLine($"error: {error}");
            return 1;
        }
        var samples = await ResultsQueries.SamplesAsync(db, new SampleFilter(experiment.Name, settings.Run, settings.Task), ct);
        if (settings.Out is null)
            foreach (var sample in samples) Console.Out.WriteLine(SamplesExport.Line(sample));
        else
            Console.Error.WriteLine($"wrote {WriteFiles(samples, settings.Out)} files under {settings.Out}");
        return 0;
    }

    /// <summary>Why the export would be empty: no records yet, or a run or task without any (naming those with some); null otherwise.</summary>
    static async Task<string?> UnknownFilterAsync(ResultsDb db, ExperimentRow experiment, Settings settings, CancellationToken ct)
    {
        var recorded = from s in db.Samples
                       join c in db.Checkpoints on s.CheckpointId equals c.Id
                       join r in db.Runs on c.RunId equals r.Id
                       where r.ExperimentId == experiment.Id
                       select new { Run = r.CellKey, s.Task };
        var runs = await recorded.Select(x => x.Run).Distinct().ToListAsync(ct);
        if (runs.Count == 0) return $"experiment '{experiment.Name}' has no per-sample records (checkpoints evaluated before they were kept have none)";
        var tasks = await recorded.Select(x => x.Task).Distinct().ToListAsync(ct);
        return NotAmong("run", settings.Run, runs, experiment.Name) ?? NotAmong("task", settings.Task, tasks, experiment.Name);
    }

    static string? NotAmong(string kind, string? asked, List<string> recorded, string experiment) =>
        asked is null || recorded.Contains(asked) ? null
            : $"no {kind} '{asked}' with per-sample records in '{experiment}' ({kind}s: {string.Join(", ", recorded.Order())})";

    /// <summary>Each file is written whole, then renamed into place: a reader never sees half an export.</summary>
    static int WriteFiles(IReadOnlyList<SampleLine> samples, string directory)
    {
        var files = SamplesExport.Files(samples).ToList();
        foreach (var (path, lines) in files)
            AtomicFile.WriteAllText(Path.Combine(directory, path), string.Concat(lines.Select(line => line + "\n")));
        return files.Count;
    }
}
