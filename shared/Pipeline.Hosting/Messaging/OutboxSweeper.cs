using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.Persistence;
using Serilog;

namespace Pipeline.Hosting.Messaging;

/// <summary>
/// Publishes outbox rows whose consumer committed but never dispatched (crash, broker down). Only rows older than
/// <see cref="Grace"/> are taken, so the consumer that wrote a row normally publishes it itself. A row may in rare races
/// be published twice; every consumer is idempotent, so that is harmless.
/// </summary>
public sealed class OutboxSweeper(IServiceScopeFactory scopes) : BackgroundService
{
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(15);
    static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try { await SweepAsync(stoppingToken); }
            catch (Exception e) when (Outages.IsOutage(e))
            {
                Log.Warning("Outbox sweep postponed, a server is unreachable ({Reason}); retrying in {Interval}", e.GetBaseException().Message, Interval);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.Warning(e, "Outbox sweep failed; retrying in {Interval}", Interval);
            }
        }
    }

    public async Task<int> SweepAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ResultsDb>();
        var cutoff = DateTime.UtcNow - Grace;
        var rows = await db.Outbox.Where(r => r.DispatchedAt == null && r.CreatedAt < cutoff).OrderBy(r => r.Id).Take(100).ToListAsync(ct);
        if (rows.Count == 0) return 0;
        await Outbox.PublishAsync(db, scope.ServiceProvider.GetRequiredService<IBus>(), rows, ct);
        Log.Information("Outbox sweep published {Count} pending message(s)", rows.Count);
        return rows.Count;
    }
}
