using System.ComponentModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.Cli.Hosting;
using Pipeline.Workflow.Orchestration;
using Serilog.Events;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pipeline.Cli.Commands;

public sealed class RetryCommand : AsyncCommand<RetryCommand.Settings>
{
    public sealed class Settings : PipelineCommandSettings
    {
        [CommandArgument(0, "<RUN>")]
        [Description("The run id, as shown by `pipeline status <experiment>` (a unique prefix will do).")]
        public required string Run { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var pipeline = CliHosts.Settings(settings);
        Guid runId;
        await using (var db = await CliHosts.OpenDatabaseAsync(pipeline, cancellationToken))
        {
            var matches = db.Runs.Select(r => r.Id).AsEnumerable().Where(id => id.ToString().StartsWith(settings.Run, StringComparison.OrdinalIgnoreCase)).ToList();
            if (matches.Count != 1)
            {
                AnsiConsole.MarkupLine($"[red]{(matches.Count == 0 ? "No run" : "More than one run")} matches '{Markup.Escape(settings.Run)}'.[/]");
                return 1;
            }
            runId = matches[0];
        }
        using var host = CliHosts.Services(settings, [], LogEventLevel.Warning);
        await host.StartAsync(cancellationToken);
        try
        {
            await using var scope = host.Services.CreateAsyncScope();
            var run = await scope.ServiceProvider.GetRequiredService<RunRetry>().RetryAsync(runId, publishNow: pipeline.UsesRabbitMq, cancellationToken);
            AnsiConsole.MarkupLine($"Requeued [bold]{Markup.Escape(run.CellKey)}[/]{(pipeline.UsesRabbitMq ? "" : "; it runs with the next `pipeline services`")}.");
            return 0;
        }
        catch (InvalidOperationException e)
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(e.Message)}[/]");
            return 1;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }
}
