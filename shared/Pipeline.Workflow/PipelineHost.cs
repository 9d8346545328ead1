using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Configuration;
using Pipeline.Hosting;
using Serilog.Events;

namespace Pipeline.Workflow;

/// <summary>
/// Builds a process hosting some pipeline services. The caller registers the stage implementations (the compute)
/// before building; the host refuses to start if one a hosted service needs is missing.
/// </summary>
public static class PipelineHost
{
    public static HostApplicationBuilder CreateBuilder(string[] args, IReadOnlyCollection<PipelineService> services,
        LogEventLevel minimumLevel = LogEventLevel.Information, IDictionary<string, string?>? overrides = null)
    {
        var builder = Host.CreateApplicationBuilder(args);
        if (overrides is not null) builder.Configuration.AddInMemoryCollection(overrides);
        builder.AddPipeline(services, services.Count == 1 ? services.First().Name() : "pipeline", minimumLevel);
        return builder;
    }

    /// <summary>Adds the bus, the results database and the given services' consumers to any host (a web app too).</summary>
    public static void AddPipeline(this IHostApplicationBuilder builder, IReadOnlyCollection<PipelineService> services, string name,
        LogEventLevel minimumLevel = LogEventLevel.Information)
    {
        builder.Services.AddSingleton(new HostedServices(services));
        builder.Services.AddHostedService<StageCheck>(); // first, so a missing stage stops the host before the bus starts
        builder.AddPipelineInfrastructure(name, bus => bus.AddConsumers(services), minimumLevel);
        builder.Services.AddWorkflow();
    }

    public static HostApplicationBuilder CreateBuilder(string[] args, PipelineService service) => CreateBuilder(args, [service]);
}

public sealed record HostedServices(IReadOnlyCollection<PipelineService> Services);

/// <summary>Fails at start, naming what is missing, rather than at the first message.</summary>
sealed class StageCheck(IServiceProvider provider, HostedServices hosted) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        using var scope = provider.CreateScope();
        var missing = hosted.Services.SelectMany(s => s.RequiredStages().Select(t => (Service: s, Stage: t)))
            .Where(x => scope.ServiceProvider.GetService(x.Stage) is null)
            .Select(x => $"{x.Service.Name()} needs an implementation of {x.Stage.Name}")
            .ToList();
        if (missing.Count > 0)
            throw new InvalidOperationException($"Cannot start: {string.Join("; ", missing)}. Register the compute stages (Pipeline.ML, Pipeline.Data) before building the host.");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
