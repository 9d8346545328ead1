using System.ComponentModel;
using Microsoft.Extensions.Hosting;
using Pipeline.Cli.Hosting;
using Pipeline.Workflow;
using Serilog.Events;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pipeline.Cli.Commands;

public sealed class ServicesCommand : AsyncCommand<ServicesCommand.Settings>
{
    public sealed class Settings : PipelineCommandSettings
    {
        [CommandArgument(0, "[NAMES]")]
        [Description("data-prep, trainer, evaluator, rank-analysis; all four when none is named.")]
        public string[] Names { get; init; } = [];

        public override ValidationResult Validate()
        {
            try { _ = Names.Select(PipelineServices.Parse).ToList(); return ValidationResult.Success(); }
            catch (ArgumentException e) { return ValidationResult.Error(e.Message); }
        }
    }

    /// <summary>Runs until SIGTERM or Ctrl+C; in-flight messages finish or are released for redelivery.</summary>
    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var services = settings.Names.Length == 0 ? PipelineServices.All : settings.Names.Select(PipelineServices.Parse).ToList();
        using var host = CliHosts.Services(settings, services, LogEventLevel.Information);
        await host.RunAsync(cancellationToken);
        return 0;
    }
}
