using System.Net.Http.Headers;
using System.Net.Http.Json;
using DotNet.Testcontainers.Builders;
using Npgsql;
using RabbitMQ.Client;
using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;

namespace Pipeline.Workflow.Tests.Fixtures;

/// <summary>
/// The real RabbitMQ and PostgreSQL the tests run against: from the environment (scripts/test starts them), else
/// Testcontainers when Docker is reachable, else a failure that says what to do. Each test gets its own virtual host
/// and database, so tests never see each other's queues or rows.
/// </summary>
public sealed class TestServers : IAsyncLifetime
{
    const string Help = "No RabbitMQ/PostgreSQL for the tests. Run them with ./scripts/test (it starts throwaway servers, no Docker needed), " +
        "or set PIPELINE_TEST_RABBITMQ (amqp://user:pass@host:port/), PIPELINE_TEST_RABBITMQ_API (http://host:port/api/, the management plugin) " +
        "and PIPELINE_TEST_POSTGRES (an Npgsql connection string for a role with CREATEDB), or make a Docker daemon reachable for Testcontainers.";

    PostgreSqlContainer? postgresContainer;
    RabbitMqContainer? rabbitContainer;

    public string RabbitMq { get; private set; } = "";
    public Uri RabbitApi { get; private set; } = null!;
    public string Postgres { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var (rabbit, api, postgres) = (Env("PIPELINE_TEST_RABBITMQ"), Env("PIPELINE_TEST_RABBITMQ_API"), Env("PIPELINE_TEST_POSTGRES"));
        if (rabbit is not null && api is not null && postgres is not null)
        {
            (RabbitMq, RabbitApi, Postgres) = (rabbit, new Uri(api), postgres);
            return;
        }
        try
        {
            postgresContainer = new PostgreSqlBuilder("postgres:16-alpine").Build();
            rabbitContainer = new RabbitMqBuilder("rabbitmq:3.13-management-alpine").WithPortBinding(15672, true).Build();
            await Task.WhenAll(postgresContainer.StartAsync(), rabbitContainer.StartAsync());
        }
        catch (DockerUnavailableException e)
        {
            throw new InvalidOperationException(Help, e);
        }
        RabbitMq = rabbitContainer.GetConnectionString();
        RabbitApi = new Uri($"http://{rabbitContainer.Hostname}:{rabbitContainer.GetMappedPublicPort(15672)}/api/");
        Postgres = postgresContainer.GetConnectionString();
    }

    public async Task DisposeAsync()
    {
        if (postgresContainer is not null) await postgresContainer.DisposeAsync();
        if (rabbitContainer is not null) await rabbitContainer.DisposeAsync();
    }

    /// <summary>Creates a fresh virtual host and returns the AMQP URI that points into it.</summary>
    public async Task<(string Uri, string VirtualHost)> NewVirtualHostAsync()
    {
        var name = $"test-{Guid.NewGuid():N}";
        using var http = Management();
        (await http.PutAsync($"vhosts/{name}", null)).EnsureSuccessStatusCode();
        var user = Credentials().User;
        (await http.PutAsJsonAsync($"permissions/{name}/{user}", new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
        return (new UriBuilder(RabbitMq) { Path = "/" + name }.Uri.ToString(), name);
    }

    public async Task DeleteVirtualHostAsync(string name)
    {
        using var http = Management();
        await http.DeleteAsync($"vhosts/{name}");
    }

    /// <summary>Messages ready in a queue, read exactly with a passive declare (management stats lag by seconds).</summary>
    public async Task<uint> QueueLengthAsync(string amqpUri, string queue)
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(amqpUri) }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
    }

    public async Task<string> NewDatabaseAsync()
    {
        var name = $"test_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(Postgres);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection); // name is ours, not user input
        await create.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(Postgres) { Database = name }.ConnectionString;
    }

    public async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(Postgres);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    HttpClient Management()
    {
        var (user, password) = Credentials();
        var http = new HttpClient { BaseAddress = RabbitApi };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{user}:{password}")));
        return http;
    }

    (string User, string Password) Credentials()
    {
        var info = Uri.UnescapeDataString(new Uri(RabbitMq).UserInfo).Split(':', 2);
        return (info[0], info.Length > 1 ? info[1] : "");
    }

    static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}

[CollectionDefinition(Name)]
public sealed class ServersCollection : ICollectionFixture<TestServers>
{
    public const string Name = "real servers";
}
