using Microsoft.Extensions.Configuration;
using Pipeline.Persistence;

namespace Pipeline.Hosting;

/// <summary>
/// Where the pipeline talks to. With no connection strings it runs embedded: in-memory bus, SQLite file.
/// Environment: ConnectionStrings__RabbitMq (amqp://user:pass@host:port/vhost), ConnectionStrings__Postgres,
/// Pipeline__DataDirectory (artifacts and the SQLite file), Pipeline__LogFormat=json,
/// Pipeline__Retry__Limit and Pipeline__Retry__MinSeconds / MaxSeconds (exponential backoff before the _error queue),
/// Pipeline__Retry__OutageSeconds (how long a message failing on a database or broker outage keeps being retried),
/// Pipeline__ConsumerStopSeconds (how long a stopping service lets an in-flight message run before cancelling it).
/// </summary>
public sealed record PipelineSettings(
    string? RabbitMqUri, string? PostgresConnection, string DataDirectory, bool JsonLogs, RetrySettings Retry, TimeSpan ConsumerStopTimeout)
{
    public static PipelineSettings From(IConfiguration configuration) => new(
        NullIfBlank(configuration.GetConnectionString("RabbitMq")),
        NullIfBlank(configuration.GetConnectionString("Postgres")),
        Path.GetFullPath(configuration["Pipeline:DataDirectory"] ?? ".pipeline"),
        string.Equals(configuration["Pipeline:LogFormat"], "json", StringComparison.OrdinalIgnoreCase),
        new RetrySettings(
            configuration.GetValue("Pipeline:Retry:Limit", 5),
            TimeSpan.FromSeconds(configuration.GetValue("Pipeline:Retry:MinSeconds", 1.0)),
            TimeSpan.FromSeconds(configuration.GetValue("Pipeline:Retry:MaxSeconds", 30.0)),
            TimeSpan.FromSeconds(configuration.GetValue("Pipeline:Retry:OutageSeconds", 600.0))),
        TimeSpan.FromSeconds(configuration.GetValue("Pipeline:ConsumerStopSeconds", 20.0)));

    public bool UsesRabbitMq => RabbitMqUri is not null;
    public string ArtifactRoot => Path.Combine(DataDirectory, "artifacts");
    public ResultsDbSettings Results => new(PostgresConnection, Path.Combine(DataDirectory, "results.db"));

    public string Describe() => $"{(UsesRabbitMq ? "RabbitMQ" : "in-memory bus")}, results in {Results.Describe()}, artifacts in {ArtifactRoot}";

    static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

/// <summary>
/// How often, and how patiently, a failing message is retried before it goes to the _error queue. A failure caused
/// by an outage of the database or the broker is retried every few seconds for up to <see cref="Outage"/> instead:
/// the message is fine, and must not end up failed because a server restarted.
/// </summary>
public sealed record RetrySettings(int Limit, TimeSpan MinInterval, TimeSpan MaxInterval, TimeSpan Outage)
{
    public static readonly TimeSpan OutageInterval = TimeSpan.FromSeconds(5);

    public int OutageRetries => Math.Max(1, (int)Math.Ceiling(Outage / OutageInterval));
}
