using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using RabbitMQ.Client.Exceptions;
using static Pipeline.Hosting.Messaging.Outages;

namespace Pipeline.Workflow.Tests.Messaging;

/// <summary>Which failures the outage retry takes (patiently) and which go the bounded way to the _error queue.</summary>
public sealed class When_a_consumer_fails
{
    public static TheoryData<string, Exception> Outages() => new()
    {
        { "database refused the connection", new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused)) },
        { "save failed on a dropped connection", new DbUpdateException("save", new NpgsqlException("Exception while reading from stream", new EndOfStreamException())) },
        { "database shutting down", new DbUpdateException("save", new PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", "57P01")) },
        { "broker unreachable", new BrokerUnreachableException(new SocketException((int)SocketError.ConnectionRefused)) },
        { "wrapped in an aggregate", new AggregateException(new InvalidOperationException("outer"), new TimeoutException()) },
    };

    public static TheoryData<string, Exception> MessageFailures() => new()
    {
        { "bad data", new InvalidDataException("model.safetensors: header length beyond the file") },
        { "unique key violated", new DbUpdateException("save", new PostgresException("duplicate key", "ERROR", "ERROR", "23505")) },
        { "a bug", new NullReferenceException() },
    };

    [Theory, MemberData(nameof(Outages))]
    public void Should_treat_a_server_outage_as_one(string _, Exception failure) => Assert.True(IsOutage(failure));

    [Theory, MemberData(nameof(MessageFailures))]
    public void Should_not_treat_a_failure_of_the_message_as_an_outage(string _, Exception failure) => Assert.False(IsOutage(failure));
}
