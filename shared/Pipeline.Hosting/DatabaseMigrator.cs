using Microsoft.Extensions.Hosting;
using Pipeline.Persistence;
using Serilog;

namespace Pipeline.Hosting;

/// <summary>Applies the results database migrations at service start, before the bus starts consuming.</summary>
public sealed class DatabaseMigrator(ResultsDbSettings settings) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await ResultsDbSetup.MigrateAsync(settings, cancellationToken);
        Log.Information("Results database ready: {Database}", settings.Describe());
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
