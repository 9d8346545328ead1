using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.Extensions.DependencyInjection;

namespace Pipeline.Persistence;

/// <summary>Where results go: PostgreSQL when a connection string is given, else an embedded SQLite file.</summary>
public sealed record ResultsDbSettings(string? PostgresConnection, string SqlitePath)
{
    public bool UsesPostgres => !string.IsNullOrWhiteSpace(PostgresConnection);
    public string Describe() => UsesPostgres ? "PostgreSQL" : $"SQLite {Path.GetFullPath(SqlitePath)}";
}

public static class ResultsDbSetup
{
    public static IServiceCollection AddResultsDb(this IServiceCollection services, ResultsDbSettings settings)
    {
        services.AddSingleton(settings);
        if (settings.UsesPostgres)
            services.AddDbContext<ResultsDb, PostgresResultsDb>(o => ConfigurePostgres(o, settings.PostgresConnection!));
        else
            services.AddDbContext<ResultsDb, SqliteResultsDb>(o => ConfigureSqlite(o, settings.SqlitePath));
        return services;
    }

    public static ResultsDb Open(ResultsDbSettings settings)
    {
        if (settings.UsesPostgres)
            return new PostgresResultsDb(ConfigurePostgres(new DbContextOptionsBuilder<PostgresResultsDb>(), settings.PostgresConnection!).Options);
        return new SqliteResultsDb(ConfigureSqlite(new DbContextOptionsBuilder<SqliteResultsDb>(), settings.SqlitePath).Options);
    }

    /// <summary>Applies pending migrations, retrying with backoff while the database is still starting or briefly down.</summary>
    public static async Task MigrateAsync(ResultsDbSettings settings, CancellationToken ct, int attempts = 10)
    {
        if (!settings.UsesPostgres) Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(settings.SqlitePath))!);
        for (var attempt = 1; ; attempt++)
        {
            await using var db = Open(settings);
            try
            {
                await db.Database.MigrateAsync(ct);
                return;
            }
            catch (Exception e) when (attempt < attempts && e is Npgsql.NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, attempt))), ct);
            }
        }
    }

    static T ConfigurePostgres<T>(T options, string connection) where T : DbContextOptionsBuilder
    {
        // No EF retry strategy: a failed write fails the message, and MassTransit retries it with backoff (consumers are idempotent).
        options.UseNpgsql(connection);
        return options;
    }

    static T ConfigureSqlite<T>(T options, string path) where T : DbContextOptionsBuilder
    {
        // A busy timeout lets the embedded default's consumers share the file without "database is locked".
        options.UseSqlite($"Data Source={path};Default Timeout=30;Pooling=True");
        return options;
    }
}

/// <summary>Design-time factories for `dotnet ef migrations add`; they never connect.</summary>
public sealed class PostgresDesignFactory : IDesignTimeDbContextFactory<PostgresResultsDb>
{
    public PostgresResultsDb CreateDbContext(string[] args) => (PostgresResultsDb)ResultsDbSetup.Open(new("Host=localhost;Database=design", "unused"));
}

public sealed class SqliteDesignFactory : IDesignTimeDbContextFactory<SqliteResultsDb>
{
    public SqliteResultsDb CreateDbContext(string[] args) => (SqliteResultsDb)ResultsDbSetup.Open(new(null, "design.db"));
}
