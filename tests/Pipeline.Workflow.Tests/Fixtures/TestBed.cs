using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.Compute;
using Pipeline.Contracts.Experiments;
using Pipeline.Contracts.Stages;
using Pipeline.Persistence;
using Pipeline.Workflow;
using Pipeline.Workflow.Orchestration;
using Serilog.Events;

namespace Pipeline.Workflow.Tests.Fixtures;

/// <summary>
/// One test's pipeline: its own data directory and either the embedded default (in-memory bus, SQLite) or a fresh
/// RabbitMQ virtual host and PostgreSQL database. Hosts are the production hosts with the compute test double.
/// </summary>
public sealed class TestBed : IAsyncDisposable
{
    readonly List<IHost> hosts = [];
    readonly TestServers? servers;
    readonly string? virtualHost;

    TestBed(Dictionary<string, string?> configuration, TestServers? servers = null, string? virtualHost = null)
    {
        Configuration = configuration;
        this.servers = servers;
        this.virtualHost = virtualHost;
    }

    public Dictionary<string, string?> Configuration { get; }
    public string DataDirectory => Configuration["Pipeline:DataDirectory"]!;
    public string? RabbitMq => Configuration.GetValueOrDefault("ConnectionStrings:RabbitMq");
    public ResultsDbSettings Results => new(Configuration.GetValueOrDefault("ConnectionStrings:Postgres"), Path.Combine(DataDirectory, "results.db"));

    public static TestBed Embedded() => new(BaseConfiguration());

    public static async Task<TestBed> OnServersAsync(TestServers servers)
    {
        var (uri, vhost) = await servers.NewVirtualHostAsync();
        var configuration = BaseConfiguration();
        configuration["ConnectionStrings:RabbitMq"] = uri;
        configuration["ConnectionStrings:Postgres"] = await servers.NewDatabaseAsync();
        return new TestBed(configuration, servers, vhost);
    }

    static Dictionary<string, string?> BaseConfiguration() => new()
    {
        ["Pipeline:DataDirectory"] = Directory.CreateTempSubdirectory("pipeline-test-").FullName,
        ["Pipeline:Retry:Limit"] = "2",
        ["Pipeline:Retry:MinSeconds"] = "0.05",
        ["Pipeline:Retry:MaxSeconds"] = "0.2",
    };

    /// <summary>Starts a process-like host running the given services, with the compute test double behind the stages.</summary>
    public async Task<IHost> StartAsync(IReadOnlyCollection<PipelineService> services, ComputeTestDouble compute)
    {
        var builder = PipelineHost.CreateBuilder([], services, LogEventLevel.Warning, Configuration);
        builder.Services.AddSingleton(ComputeTestDouble.Catalog);
        builder.Services.AddSingleton<IDataPrepStage>(compute);
        builder.Services.AddSingleton<ITrainerStage>(compute);
        builder.Services.AddSingleton<IEvaluatorStage>(compute);
        builder.Services.AddSingleton<IRankAnalysisStage>(compute);
        var host = builder.Build();
        hosts.Add(host);
        await host.StartAsync();
        return host;
    }

    /// <summary>Starts a host running the given services on the real compute (Pipeline.ML and Pipeline.Data).</summary>
    public async Task<IHost> StartWithRealComputeAsync(IReadOnlyCollection<PipelineService> services)
    {
        var builder = PipelineHost.CreateBuilder([], services, LogEventLevel.Warning, Configuration);
        builder.Services.AddComputeStages();
        var host = builder.Build();
        hosts.Add(host);
        await host.StartAsync();
        return host;
    }

    public static async Task<SubmitResult> SubmitAsync(IHost host, ExperimentRequest request)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ExperimentSubmitter>().SubmitAsync(request, "test request", CancellationToken.None);
    }

    public ResultsDb OpenDb() => ResultsDbSetup.Open(Results);

    public async Task WaitUntilAsync(Func<ResultsDb, Task<bool>> condition, string what, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            await using (var db = OpenDb())
                if (await condition(db)) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out after {seconds}s waiting until {what}");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in hosts)
        {
            await host.StopAsync();
            host.Dispose();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (servers is not null)
        {
            await servers.DropDatabaseAsync(Configuration["ConnectionStrings:Postgres"]!);
            await servers.DeleteVirtualHostAsync(virtualHost!);
        }
        Directory.Delete(DataDirectory, recursive: true);
    }
}
