using Pipeline.Compute;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.Hosting;
using Pipeline.Persistence;
using Pipeline.Workflow;
using Serilog.Events;

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

    static Dictionary<string, string?> Overrides(PipelineCommandSettings options) =>
        options.DataDirectory is { } dir ? new() { ["Pipeline:DataDirectory"] = Path.GetFullPath(dir) } : [];
}
