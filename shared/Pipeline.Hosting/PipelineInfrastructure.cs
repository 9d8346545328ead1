using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.Contracts.Stages;
using Pipeline.Hosting.Logging;
using Pipeline.Hosting.Messaging;
using Pipeline.Persistence;
using Serilog;
using Serilog.Events;

namespace Pipeline.Hosting;

/// <summary>Everything a pipeline process shares: settings, logs, results database (migrated at start), bus, outbox.</summary>
public static class PipelineInfrastructure
{
    public static PipelineSettings AddPipelineInfrastructure(this IHostApplicationBuilder builder, string serviceName,
        Action<IBusRegistrationConfigurator> addConsumers, LogEventLevel minimumLevel = LogEventLevel.Information)
    {
        var settings = PipelineSettings.From(builder.Configuration);
        Log.Logger = PipelineLogging.Create(serviceName, settings.JsonLogs, minimumLevel);
        builder.Services.AddSerilog();
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(new ArtifactStoreRoot(settings.ArtifactRoot));
        builder.Services.AddResultsDb(settings.Results);
        builder.Services.AddHostedService<DatabaseMigrator>(); // registered before the bus: migrations run first
        builder.Services.AddScoped<Outbox>();
        builder.Services.AddSingleton<OutboxSweeper>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OutboxSweeper>());
        builder.Services.AddPipelineBus(settings, addConsumers);
        if (builder.Configuration["Pipeline:HealthFile"] is { Length: > 0 } healthFile)
            builder.Services.AddHostedService(sp => new HealthFile(sp.GetRequiredService<IBusControl>(), healthFile));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(60));
        return settings;
    }
}
