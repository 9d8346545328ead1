using System.ComponentModel;
using Pipeline.Cli.Hosting;
using Pipeline.Contracts.Experiments;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pipeline.Cli.Commands;

/// <summary>A small built-in study, end to end in this process: full finetuning against LoRA, learning and forgetting.</summary>
public sealed class QuickstartCommand : AsyncCommand<QuickstartCommand.Settings>
{
    public sealed class Settings : PipelineCommandSettings
    {
        [CommandOption("--request <FILE>")]
        [Description("Run this experiment request instead of the built-in quickstart study.")]
        public string? Request { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        try
        {
            var (request, source) = settings.Request is { } file
                ? (ExperimentRequestFile.Load(file), file)
                : (ExperimentRequestFile.Parse(BuiltInRequest(), "quickstart.json (built in)"), "quickstart.json (built in)");
            return await InProcessStudy.RunAsync(settings, request, source, cancellationToken);
        }
        catch (ExperimentRequestException e)
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(e.Message)}[/]");
            return 2;
        }
    }

    static string BuiltInRequest()
    {
        using var stream = typeof(QuickstartCommand).Assembly.GetManifestResourceStream("quickstart.json")
            ?? throw new InvalidOperationException("the built-in quickstart.json resource is missing from this build");
        return new StreamReader(stream).ReadToEnd();
    }
}
