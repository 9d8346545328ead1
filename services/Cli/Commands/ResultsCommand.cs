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

        public override ValidationResult Validate() => Format is "table" or "csv" or "json"
            ? ValidationResult.Success()
            : ValidationResult.Error($"--format must be table, csv or json, not '{Format}'");
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        await using var db = await CliHosts.OpenDatabaseAsync(CliHosts.Settings(settings), cancellationToken);
        var filter = new ResultFilter(settings.Experiment, settings.Method, settings.Rank, settings.Metric);
        if (settings.Ranks) ResultsView.Ranks(await ResultsQueries.RanksAsync(db, filter, cancellationToken), settings.Format);
        else ResultsView.Metrics(await ResultsQueries.MetricsAsync(db, filter, cancellationToken), settings.Format, allMetrics: settings.Metric is not null);
        return 0;
    }
}
