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
            var (request, source) = Load(settings.Request);
            return (await InProcessStudy.RunAsync(settings, request, source, cancellationToken)).ExitCode;
        }
        catch (ExperimentRequestException e)
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(e.Message)}[/]");
            return 2;
        }
    }

    /// <summary>The request in <paramref name="file"/>, or the built-in quickstart study; with where it came from.</summary>
    internal static (ExperimentRequest Request, string Source) Load(string? file) => file is not null
        ? (ExperimentRequestFile.Load(file), file)
        : (ExperimentRequestFile.Parse(BuiltInRequest(), "quickstart.json (built in)"), "quickstart.json (built in)");

    static string BuiltInRequest()
    {
        using var stream = typeof(QuickstartCommand).Assembly.GetManifestResourceStream("quickstart.json")
            ?? throw new InvalidOperationException("the built-in quickstart.json resource is missing from this build");
        return new StreamReader(stream).ReadToEnd();
    }
}
