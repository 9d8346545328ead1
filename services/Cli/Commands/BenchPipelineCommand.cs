using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using MassTransit;
using ValidationResult = Spectre.Console.ValidationResult;
using Pipeline.Cli.Hosting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pipeline.Cli.Commands;

/// <summary>
/// `pipeline bench pipeline`: one study's wall time against the time its compute stages took (the rest is the
/// pipeline's overhead: bus, database, scheduling and idling), run in this process in a fresh data directory; and,
/// when ConnectionStrings__RabbitMq is set, how many small events per second RabbitMQ carries from a publisher to a
/// consumer, persistent and publisher-confirmed as the pipeline's own events are.
/// </summary>
public sealed class BenchPipelineCommand : AsyncCommand<BenchPipelineCommand.Settings>
{
    public sealed class Settings : PipelineCommandSettings
    {
        [CommandOption("--request <FILE>"), Description("The study to time (default: the built-in quickstart).")] public string? Request { get; init; }
        [CommandOption("--messages <N>"), Description("Events sent through RabbitMQ."), DefaultValue(5000)] public int Messages { get; init; }
        [CommandOption("--json <FILE>"), Description("Also write the figures to this file.")] public string? Json { get; init; }

        public override ValidationResult Validate() =>
            Messages < 1 ? ValidationResult.Error("--messages must be positive") : ValidationResult.Success();
    }

    public sealed record Result(double WallSeconds, double ComputeSeconds, double Overhead, bool Completed, double? BrokerMessagesPerSecond);

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var study = await TimeStudyAsync(settings, cancellationToken);
        double? perSecond = CliHosts.Settings(settings).RabbitMqUri is { } uri
            ? await BrokerThroughputAsync(new Uri(uri), settings.Messages, cancellationToken)
            : null;
        var result = new Result(study.Wall.TotalSeconds, study.Compute.TotalSeconds, study.Overhead, study.Completed, perSecond);

        var table = new Table().AddColumns("measurement", "value");
        table.AddRow("study wall time", $"{result.WallSeconds:F1} s");
        table.AddRow("compute stages (data, pretraining, training, evaluation, rank analysis)", $"{result.ComputeSeconds:F1} s");
        table.AddRow("pipeline overhead and idle", $"{result.Overhead:P2}");
        table.AddRow("RabbitMQ events/s (persistent, confirmed, publish → consume)",
            perSecond is { } rate ? $"{rate:N0} ({settings.Messages:N0} events)" : "no broker configured (set ConnectionStrings__RabbitMq)");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"Target: overhead ≤ 5% of the wall time: {(result.Overhead <= 0.05 ? "met" : "NOT met")} ({result.Overhead:P2})");
        if (settings.Json is { } path) File.WriteAllText(path, JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
        return study.Completed ? 0 : 1;
    }

    /// <summary>The study in a fresh data directory (unless --data-dir names one), so data preparation and pretraining count too.</summary>
    static async Task<InProcessStudy.Outcome> TimeStudyAsync(Settings settings, CancellationToken ct)
    {
        var fresh = settings.DataDirectory is null ? Directory.CreateTempSubdirectory("pipeline-bench-") : null;
        try
        {
            var (request, source) = QuickstartCommand.Load(settings.Request);
            var options = fresh is null ? settings : new Settings { DataDirectory = fresh.FullName, Request = settings.Request, Messages = settings.Messages };
            return await InProcessStudy.RunAsync(options, request, source, ct);
        }
        finally
        {
            fresh?.Delete(recursive: true);
        }
    }

    public sealed record BenchEvent(int Sequence);

    /// <summary>Publishes <paramref name="count"/> events to a durable queue of their own and times them until the last is consumed.</summary>
    static async Task<double> BrokerThroughputAsync(Uri broker, int count, CancellationToken ct)
    {
        int consumed = 0;
        var allConsumed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(broker, host => host.PublisherConfirmation = true);
            rabbit.ReceiveEndpoint($"bench-events-{Guid.NewGuid():N}", endpoint =>
            {
                endpoint.AutoDelete = true;
                endpoint.Handler<BenchEvent>(_ =>
                {
                    if (Interlocked.Increment(ref consumed) == count) allConsumed.TrySetResult();
                    return Task.CompletedTask;
                });
            });
        });
        await bus.StartAsync(ct);
        try
        {
            var clock = Stopwatch.StartNew();
            foreach (var chunk in Enumerable.Range(0, count).Chunk(100)) // 100 confirms in flight at a time
                await Task.WhenAll(chunk.Select(i => bus.Publish(new BenchEvent(i), ct)));
            await allConsumed.Task.WaitAsync(TimeSpan.FromMinutes(5), ct);
            return count / clock.Elapsed.TotalSeconds;
        }
        finally
        {
            await bus.StopAsync(CancellationToken.None);
        }
    }
}
