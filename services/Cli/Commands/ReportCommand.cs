using System.ComponentModel;
using Pipeline.Cli.Hosting;
using Pipeline.Persistence.Queries;
using Pipeline.Reporting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pipeline.Cli.Commands;

/// <summary>`pipeline report EXPERIMENT --out DIR`: report.md with the paper's figures and findings, from the results database.</summary>
public sealed class ReportCommand : AsyncCommand<ReportCommand.Settings>
{
    public sealed class Settings : PipelineCommandSettings
    {
        [CommandArgument(0, "<EXPERIMENT>")] public string Experiment { get; init; } = "";

        [CommandOption("--out <DIR>"), Description("Where report.md and its figures go."), DefaultValue("report")]
        public string Out { get; init; } = "report";

        [CommandOption("--versus <EXPERIMENT>"), Description("A study of the other regime (CPT against IFT) on the same target, for finding 7c.")]
        public string? Versus { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        await using var db = await CliHosts.OpenDatabaseAsync(CliHosts.Settings(settings), cancellationToken);
        var input = await ReportData.LoadAsync(db, settings.Experiment, cancellationToken);
        var versus = settings.Versus is { } other ? await ReportData.LoadAsync(db, other, cancellationToken) : null;
        var findings = StudyReport.Write(input, settings.Out, versus);
        var table = new Table().AddColumns("finding", "verdict", "effect");
        foreach (var f in findings) table.AddRow(Markup.Escape(f.Claim), f.Verdict.ToString(), Markup.Escape(f.Effect));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"Report: {Path.Combine(Path.GetFullPath(settings.Out), "report.md")}");
        return 0;
    }
}
