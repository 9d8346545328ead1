using MassTransit;
using Pipeline.Persistence;
using Pipeline.Persistence.Rows;

namespace Pipeline.Hosting.Messaging;

/// <summary>
/// The transactional outbox, per consumer scope. <see cref="Add"/> writes the next-stage message into ResultsDb, so it
/// commits with the rows that caused it; <see cref="DispatchAsync"/> publishes it after the commit. If the process dies in
/// between, OutboxSweeper publishes it later: a consumer that commits then crashes never loses the next stage.
/// </summary>
public sealed class Outbox(ResultsDb db, IPublishEndpoint publisher)
{
    readonly List<OutboxMessageRow> pending = [];

    public void Add(object message)
    {
        var row = OutboxMessages.ToRow(message, DateTime.UtcNow);
        db.Outbox.Add(row);
        pending.Add(row);
    }

    public async Task DispatchAsync(CancellationToken ct)
    {
        if (pending.Count == 0) return;
        await PublishAsync(db, publisher, pending, ct);
        pending.Clear();
    }

    internal static async Task PublishAsync(ResultsDb db, IPublishEndpoint publisher, IEnumerable<OutboxMessageRow> rows, CancellationToken ct)
    {
        foreach (var row in rows)
        {
            var (message, type) = OutboxMessages.FromRow(row);
            await publisher.Publish(message, type, context => context.MessageId = row.MessageId, ct);
            row.DispatchedAt = DateTime.UtcNow;
        }
        await db.SaveChangesAsync(ct);
    }
}
