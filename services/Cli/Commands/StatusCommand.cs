using System.ComponentModel;
using Pipeline.Cli.Hosting;
using Pipeline.Cli.Views;
using Pipeline.Persistence.Queries;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pipeline.Cli.Commands;

public sealed class StatusCommand : AsyncCommand<StatusCommand.Settings>
{
    public sealed class Settings : PipelineCommandSettings
    {
        [CommandArgument(0, "[EXPERIMENT]")]
        [Description("An experiment name or id; without it, every experiment is listed.")]
        public string? Experiment { get; init; }

        [CommandOption("--watch")]
        [Description("Show live progress bars until the experiment finishes.")]
        public bool Watch { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var pipeline = CliHosts.Settings(settings);
        await using var db = await CliHosts.OpenDatabaseAsync(pipeline, cancellationToken);
        if (settings.Experiment is null)
        {
            AnsiConsole.Write(StatusView.Experiments(await StatusQueries.ExperimentsAsync(db, cancellationToken)));
            return 0;
        }
        var experiment = await CliHosts.FindExperimentAsync(db, pipeline, settings.Experiment, cancellationToken);
        if (experiment is null) return 1;
        if (settings.Watch) await LiveProgress.FollowAsync(pipeline, experiment.Id, cancellationToken);
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(experiment.Name)}[/] {experiment.Status}");
        AnsiConsole.Write(StatusView.Runs(await StatusQueries.RunsAsync(db, experiment.Id, cancellationToken)));
        var failures = await StatusQueries.FailuresAsync(db, experiment.Id, cancellationToken);
        if (failures.Count > 0) AnsiConsole.Write(StatusView.Failures(failures));
        return 0;
    }
}
