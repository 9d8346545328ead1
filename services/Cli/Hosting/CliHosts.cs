using Pipeline.Compute;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.Hosting;
using Pipeline.Persistence;
using Pipeline.Persistence.Queries;
using Pipeline.Persistence.Rows;
using Pipeline.Workflow;
using Serilog.Events;
using Spectre.Console;

namespace Pipeline.Cli.Hosting;

/// <summary>The processes a CLI command runs in: pipeline services in-process, or just the settings and the database.</summary>
static class CliHosts
{
    public static PipelineSettings Settings(PipelineCommandSettings options) =>
        PipelineSettings.From(new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddInMemoryCollection(Overrides(options))
            .Build());

    /// <summary>Hosts the given services (none: a publisher only) with the compute stages.</summary>
    public static IHost Services(PipelineCommandSettings options, IReadOnlyCollection<PipelineService> services, LogEventLevel level)
    {
        var builder = PipelineHost.CreateBuilder([], services, level, Overrides(options));
        builder.Services.AddComputeStages();
        return builder.Build();
    }

    /// <summary>Opens the results database for a query, creating its tables if this is the first command ever run.</summary>
    public static async Task<ResultsDb> OpenDatabaseAsync(PipelineSettings settings, CancellationToken ct)
    {
        await ResultsDbSetup.MigrateAsync(settings.Results, ct, attempts: 2);
        return ResultsDbSetup.Open(settings.Results);
    }

    /// <summary>The experiment by name or id; null, after telling the user which database lacks it, when there is none.</summary>
    public static async Task<ExperimentRow?> FindExperimentAsync(ResultsDb db, PipelineSettings settings, string nameOrId, CancellationToken ct)
    {
        var experiment = await StatusQueries.FindExperimentAsync(db, nameOrId, ct);
        if (experiment is null)
            AnsiConsole.MarkupLine($"[red]No experiment named '{Markup.Escape(nameOrId)}'[/] in {Markup.Escape(settings.Results.Describe())}.");
        return experiment;
    }

    static Dictionary<string, string?> Overrides(PipelineCommandSettings options) =>
        options.DataDirectory is { } dir ? new() { ["Pipeline:DataDirectory"] = Path.GetFullPath(dir) } : [];
}
