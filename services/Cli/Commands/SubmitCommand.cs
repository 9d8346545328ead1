using System.ComponentModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.Cli.Hosting;
using Pipeline.Cli.Views;
using Pipeline.Contracts.Experiments;
using Pipeline.Workflow.Orchestration;
using Serilog.Events;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pipeline.Cli.Commands;

public sealed class SubmitCommand : AsyncCommand<SubmitCommand.Settings>
{
    public sealed class Settings : PipelineCommandSettings
    {
        [CommandArgument(0, "<FILE>")]
        [Description("The experiment request (JSON, see schemas/experiment.schema.json).")]
        public required string File { get; init; }

        [CommandOption("--wait")]
        [Description("With a broker: follow the experiment with live progress until it finishes.")]
        public bool Wait { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        try
        {
            var request = ExperimentRequestFile.Load(settings.File);
            var pipeline = CliHosts.Settings(settings);
            if (!pipeline.UsesRabbitMq) // no broker to hand it to: run it here, embedded
                return (await InProcessStudy.RunAsync(settings, request, settings.File, cancellationToken)).ExitCode;
            return await PublishAsync(settings, request, cancellationToken);
        }
        catch (ExperimentRequestException e)
        {
            AnsiConsole.MarkupLine($"[red]Rejected {Markup.Escape(e.RequestSource)}[/]: nothing was published.");
            foreach (var error in e.Errors) AnsiConsole.MarkupLine($"  [yellow]{Markup.Escape(error.Path)}[/]: {Markup.Escape(error.Message)}");
            return 2;
        }
    }

    static async Task<int> PublishAsync(Settings settings, ExperimentRequest request, CancellationToken ct)
    {
        using var host = CliHosts.Services(settings, [], LogEventLevel.Warning);
        await host.StartAsync(ct);
        try
        {
            SubmitResult submitted;
            await using (var scope = host.Services.CreateAsyncScope())
                submitted = await scope.ServiceProvider.GetRequiredService<ExperimentSubmitter>().SubmitAsync(request, settings.File, ct);
            AnsiConsole.MarkupLine(submitted.AlreadySubmitted
                ? $"[yellow]{Markup.Escape(submitted.Name)}[/] was already submitted with this content ({submitted.ExperimentId})."
                : $"Submitted [bold]{Markup.Escape(submitted.Name)}[/] ({submitted.ExperimentId}): {submitted.RunCount} runs.");
            if (!settings.Wait) return 0;
            return await LiveProgress.FollowAsync(CliHosts.Settings(settings), submitted.ExperimentId, ct) ? 0 : 1;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }
}
