using MassTransit;
using Microsoft.Extensions.Hosting;
using Serilog;

namespace Pipeline.Hosting;

/// <summary>
/// Touches a file while the bus is healthy, for container health checks in processes that serve no HTTP. Enabled by
/// Pipeline__HealthFile (compose sets it); the check fails once the file is older than a minute.
/// </summary>
public sealed class HealthFile(IBusControl bus, string path) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(10));
        do
        {
            var health = bus.CheckHealth();
            if (health.Status == BusHealthStatus.Healthy) await File.WriteAllTextAsync(path, DateTime.UtcNow.ToString("O"), stoppingToken);
            else Log.Warning("Bus is {Status}: {Description}", health.Status, health.Description);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
