using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.Cli.Views;
using Pipeline.Compute;
using Pipeline.Contracts.Experiments;
using Pipeline.Hosting;
using Pipeline.Persistence.Queries;
using Pipeline.Workflow;
using Pipeline.Workflow.Orchestration;
using Serilog.Events;
using Spectre.Console;

namespace Pipeline.Cli.Hosting;

/// <summary>
/// Runs a whole study in this process: the four services' consumers (in-memory bus and SQLite by default, or the
/// configured RabbitMQ and PostgreSQL), then submits the request, follows it live and prints the results.
/// </summary>
static class InProcessStudy
{
    /// <summary>Whether the study completed, its wall time, and how much of it the compute stages took.</summary>
    public sealed record Outcome(bool Completed, TimeSpan Wall, TimeSpan Compute)
    {
        public double Overhead => (Wall - Compute) / Wall;
        public int ExitCode => Completed ? 0 : 1;
    }

    public static async Task<Outcome> RunAsync(PipelineCommandSettings options, ExperimentRequest request, string source, CancellationToken ct)
    {
        using var host = CliHosts.Services(options, PipelineServices.All, LogEventLevel.Warning);
        var settings = host.Services.GetRequiredService<PipelineSettings>();
        AnsiConsole.MarkupLine($"[grey]{Markup.Escape(settings.Describe())}[/]");
        var started = DateTime.UtcNow;
        await host.StartAsync(ct);
        try
        {
            SubmitResult submitted;
            await using (var scope = host.Services.CreateAsyncScope())
                submitted = await scope.ServiceProvider.GetRequiredService<ExperimentSubmitter>().SubmitAsync(request, source, ct);
            AnsiConsole.MarkupLine($"Submitted [bold]{Markup.Escape(submitted.Name)}[/] ({submitted.RunCount} runs){(submitted.AlreadySubmitted ? ", already known: resuming" : "")}");
            var completed = await LiveProgress.FollowAsync(settings, submitted.ExperimentId, ct);
            await using var db = await CliHosts.OpenDatabaseAsync(settings, ct);
            ResultsView.Metrics(await ResultsQueries.MetricsAsync(db, new ResultFilter(submitted.Name), ct), "table");
            if (!completed) AnsiConsole.Write(StatusView.Failures(await StatusQueries.FailuresAsync(db, submitted.ExperimentId, ct)));
            var outcome = new Outcome(completed, DateTime.UtcNow - started, host.Services.GetRequiredService<ComputeGate>().Busy);
            AnsiConsole.MarkupLine($"Wall time {outcome.Wall:hh\\:mm\\:ss}: compute stages {outcome.Compute:hh\\:mm\\:ss}, pipeline overhead and idle {outcome.Overhead:P1}. "
                + $"Results: {Markup.Escape(settings.Results.Describe())}; artifacts: {Markup.Escape(settings.ArtifactRoot)}");
            return outcome;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }
}
