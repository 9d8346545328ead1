using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;
using Pipeline.Cli.Audit;
using Pipeline.Cli.Hosting;
using Pipeline.Data.Artifacts;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pipeline.Cli.Commands;

/// <summary>`pipeline audit EXPERIMENT`: is every expected result there exactly once, and is nothing corrupt or left behind? Exit 0 only when complete and consistent.</summary>
public sealed class AuditCommand : AsyncCommand<AuditCommand.Settings>
{
    public sealed class Settings : PipelineCommandSettings
    {
        [CommandArgument(0, "<EXPERIMENT>")]
        [Description("An experiment name or id.")]
        public string Experiment { get; init; } = "";

        [CommandOption("--json")]
        [Description("Print the audit as JSON.")]
        public bool Json { get; init; }
    }

    static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var pipeline = CliHosts.Settings(settings);
        await using var db = await CliHosts.OpenDatabaseAsync(pipeline, cancellationToken);
        var experiment = await CliHosts.FindExperimentAsync(db, pipeline, settings.Experiment, cancellationToken);
        if (experiment is null) return 1;
        var report = await new ExperimentAudit(db, new ArtifactStore(pipeline.ArtifactRoot)).RunAsync(experiment, cancellationToken);
        if (settings.Json) Console.Out.WriteLine(JsonSerializer.Serialize(report, JsonOptions));
        else Write(report);
        return report.Complete && report.Consistent ? 0 : 1;
    }

    static void Write(AuditReport report)
    {
        var table = new Table().AddColumns("check", "expected", "found", "");
        foreach (var check in report.Checks)
            table.AddRow(check.Name, $"{check.Expected:N0}", $"{check.Found:N0}", check.Passed ? "[green]ok[/]" : $"[red]{Markup.Escape(check.Problem!)}[/]");
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(report.Experiment)}[/] {report.Status}");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"results expected {report.ResultsExpected:N0}, found {report.ResultsFound:N0}, lost {report.ResultsLost:N0}");
    }
}
