using System.ComponentModel;
using Pipeline.Cli.Hosting;
using Pipeline.Contracts.Reports;
using Pipeline.Persistence;
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

        [CommandOption("--versus-data-dir <DIR>"), Description("The data directory whose embedded results hold the --versus study (default: this command's database).")]
        public string? VersusDataDirectory { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        await using var db = await CliHosts.OpenDatabaseAsync(CliHosts.Settings(settings), cancellationToken);
        var input = await ReportData.LoadAsync(db, settings.Experiment, cancellationToken);
        var versus = settings.Versus is { } other ? await LoadVersusAsync(db, settings, other, cancellationToken) : null;
        var findings = StudyReport.Write(input, settings.Out, versus);
        var table = new Table().AddColumns("finding", "verdict", "effect");
        foreach (var f in findings) table.AddRow(Markup.Escape(f.Claim), f.Verdict.ToString(), Markup.Escape(f.Effect));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"Report: {Path.Combine(Path.GetFullPath(settings.Out), "report.md")}");
        return 0;
    }

    private static async Task<ReportInput> LoadVersusAsync(ResultsDb db, Settings settings, string experiment, CancellationToken ct)
    {
        if (settings.VersusDataDirectory is not { } directory) return await ReportData.LoadAsync(db, experiment, ct);
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"--versus-data-dir '{directory}' does not exist");
        var versusSettings = CliHosts.Settings(new PipelineCommandSettings { DataDirectory = directory });
        await using var versusDb = await CliHosts.OpenDatabaseAsync(versusSettings, ct);
        return await ReportData.LoadAsync(versusDb, experiment, ct);
    }
}
