using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Pipeline.Compute;
using Pipeline.Dashboard.Api;
using Pipeline.Hosting;
using Pipeline.Workflow;
using Serilog.Events;

namespace Pipeline.Dashboard;

/// <summary>
/// The dashboard and its HTTP API over the configured results database (PostgreSQL or the embedded SQLite file).
/// With a broker it only publishes: the services run elsewhere. Without one it also hosts every pipeline service in
/// process, as `pipeline submit` does, so an experiment posted to it runs here.
/// </summary>
public static class DashboardApp
{
    /// <param name="configureServices">Runs last, so it can replace a registration (tests swap in their catalog).</param>
    public static WebApplication Create(string[] args, IDictionary<string, string?>? overrides = null, LogEventLevel logLevel = LogEventLevel.Information,
        Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (overrides is not null) builder.Configuration.AddInMemoryCollection(overrides);
        if (string.IsNullOrEmpty(builder.Configuration["urls"])) builder.WebHost.UseUrls(DashboardSettings.DefaultUrl);

        IReadOnlyCollection<PipelineService> services = PipelineSettings.From(builder.Configuration).UsesRabbitMq ? [] : PipelineServices.All;
        builder.AddPipeline(services, "dashboard", logLevel);
        builder.Services.AddComputeStages(); // the catalog that validates requests, and the stages when they run here
        builder.Services.AddSingleton(DashboardSettings.From(builder.Configuration));
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
            o.SerializerOptions.Converters.Add(new UtcDateTimeConverter());
        });

        configureServices?.Invoke(builder.Services);
        var app = builder.Build();
        var settings = app.Services.GetRequiredService<DashboardSettings>();
        app.Use((context, next) => Access.LoopbackUnlessPublic(context, settings, () => next(context)));
        var pages = new EmbeddedFileProvider(typeof(DashboardApp).Assembly, "Pipeline.Dashboard.wwwroot");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = pages });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = pages });
        app.MapOpenApi(); // /openapi/v1.json
        app.MapExperimentEndpoints();
        app.MapRunEndpoints();
        app.MapResultEndpoints();
        return app;
    }
}
