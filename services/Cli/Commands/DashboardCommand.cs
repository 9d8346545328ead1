using System.ComponentModel;
using Microsoft.Extensions.Hosting;
using Pipeline.Cli.Hosting;
using Pipeline.Dashboard;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pipeline.Cli.Commands;

/// <summary>
/// `pipeline dashboard`: the web UI and HTTP API over the results database. Writes need Pipeline__Dashboard__Token
/// (an environment variable, so the token stays out of the process list).
/// </summary>
public sealed class DashboardCommand : AsyncCommand<DashboardCommand.Settings>
{
    public sealed class Settings : PipelineCommandSettings
    {
        [CommandOption("--urls <URLS>"), Description("Where to listen."), DefaultValue(DashboardSettings.DefaultUrl)]
        public string Urls { get; init; } = DashboardSettings.DefaultUrl;

        [CommandOption("--public-reads"), Description("Serve reads to clients that are not on loopback too.")]
        public bool PublicReads { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var overrides = new Dictionary<string, string?> { ["urls"] = settings.Urls };
        if (settings.DataDirectory is { } dir) overrides["Pipeline:DataDirectory"] = Path.GetFullPath(dir);
        if (settings.PublicReads) overrides["Pipeline:Dashboard:PublicReads"] = "true";
        await using var app = DashboardApp.Create([], overrides);
        var pipeline = CliHosts.Settings(settings);
        AnsiConsole.MarkupLineInterpolated($"Dashboard on {settings.Urls} ({pipeline.Describe()}); OpenAPI at /openapi/v1.json");
        await app.StartAsync(cancellationToken);
        await app.WaitForShutdownAsync(cancellationToken);
        return 0;
    }
}
