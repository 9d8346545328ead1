using System.Text.Json;
using Pipeline.Contracts;
using Pipeline.Persistence.Rows;

namespace Pipeline.Hosting.Messaging;

/// <summary>Turns a message into an outbox row and back; only message types of Pipeline.Contracts are allowed.</summary>
public static class OutboxMessages
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static OutboxMessageRow ToRow(object message, DateTime now) => new()
    {
        MessageId = Guid.NewGuid(),
        MessageType = message.GetType().FullName!,
        Body = JsonSerializer.Serialize(message, message.GetType(), Json),
        CreatedAt = now,
    };

    public static (object Message, Type Type) FromRow(OutboxMessageRow row)
    {
        var type = typeof(IExperimentMessage).Assembly.GetType(row.MessageType)
            ?? throw new InvalidDataException($"outbox row {row.Id}: unknown message type '{row.MessageType}'");
        var message = JsonSerializer.Deserialize(row.Body, type, Json)
            ?? throw new InvalidDataException($"outbox row {row.Id}: body is null");
        return (message, type);
    }
}
