using System.Net.Sockets;
using MassTransit;
using Npgsql;
using RabbitMQ.Client.Exceptions;

namespace Pipeline.Hosting.Messaging;

/// <summary>Tells a server outage (database or broker unreachable, restarting, dropping connections) from a failure of the message itself.</summary>
public static class Outages
{
    public static bool IsOutage(Exception exception) => Causes(exception).Any(e => e switch
    {
        NpgsqlException npgsql => npgsql.IsTransient,
        SocketException or TimeoutException => true,
        BrokerUnreachableException or AlreadyClosedException or OperationInterruptedException => true,
        RabbitMqConnectionException => true,
        _ => false,
    });

    static IEnumerable<Exception> Causes(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Causes)) yield return inner;
        }
    }
}
