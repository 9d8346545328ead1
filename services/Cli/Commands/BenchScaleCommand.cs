using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Pipeline.Cli.Audit;
using Pipeline.Cli.Hosting;
using Pipeline.Data.Artifacts;
using Pipeline.Hosting;
using Pipeline.Persistence.Rows;
using Spectre.Console;
using Spectre.Console.Cli;
using ValidationResult = Spectre.Console.ValidationResult;

namespace Pipeline.Cli.Commands;

/// <summary>
/// `pipeline bench scale`: the same 4-run experiment with one trainer process, then with two (one torch thread each),
/// over the configured RabbitMQ and PostgreSQL. Each round starts its own service processes (data-prep, evaluator and
/// rank-analysis in one, each trainer in its own), submits, follows the runs in the database, then audits the
/// experiment and counts which trainer trained which run: nothing lost, nothing trained twice.
/// </summary>
public sealed partial class BenchScaleCommand : AsyncCommand<BenchScaleCommand.Settings>
{
    public sealed class Settings : PipelineCommandSettings
    {
        [CommandOption("--tokens <N>"), Description("Training tokens per run."), DefaultValue(65536L)] public long Tokens { get; init; }
        [CommandOption("--json <FILE>"), Description("Also write the figures to this file.")] public string? Json { get; init; }

        public override ValidationResult Validate() =>
            Tokens < 4096 ? ValidationResult.Error("--tokens must be at least 4096 (one batch of the tiny model)") : ValidationResult.Success();
    }

    /// <summary>Training: first run started → last run trained. Wall: first run started → experiment completed.</summary>
    public sealed record Round(int Trainers, double TrainingSeconds, double TrainingTokensPerSecond, double WallSeconds,
        IReadOnlyDictionary<string, int> RunsPerTrainer, int RunsTrainedTwice, long ResultsLost, bool AuditPassed);

    public sealed record Result(IReadOnlyList<Round> Rounds, double TrainingSpeedup, double WallSpeedup);

    const int Runs = 4;

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var pipeline = CliHosts.Settings(settings);
        if (!pipeline.UsesRabbitMq || !pipeline.Results.UsesPostgres)
        {
            AnsiConsole.MarkupLine("[red]bench scale runs every service as its own process[/]: set ConnectionStrings__RabbitMq and " +
                "ConnectionStrings__Postgres (scripts/bench-scale starts throwaway servers and runs this command).");
            return 2;
        }
        var work = Directory.CreateTempSubdirectory("pipeline-bench-scale-");
        var rounds = new List<Round>();
        foreach (int trainers in new[] { 1, 2 })
            rounds.Add(await RoundAsync(settings, pipeline, work.FullName, trainers, cancellationToken));

        var result = new Result(rounds, rounds[1].TrainingTokensPerSecond / rounds[0].TrainingTokensPerSecond,
            rounds[0].WallSeconds / rounds[1].WallSeconds);
        Write(result, work.FullName);
        if (settings.Json is { } path) File.WriteAllText(path, JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
        return rounds.All(r => r.AuditPassed && r.RunsTrainedTwice == 0) ? 0 : 1;
    }

    static async Task<Round> RoundAsync(Settings settings, PipelineSettings pipeline, string work, int trainers, CancellationToken ct)
    {
        string name = $"bench-scale-{trainers}-{DateTime.UtcNow:yyyyMMddHHmmss}", logs = Path.Combine(work, name);
        Directory.CreateDirectory(logs);
        var environment = new Dictionary<string, string>
        {
            ["Pipeline__DataDirectory"] = Path.Combine(work, "data"), // shared by both rounds: data and base are built once
            ["Pipeline__Compute__Threads"] = "1",
            ["Pipeline__Compute__PretrainTokens"] = "65536",
            ["Pipeline__Compute__MaxPerplexityDocuments"] = "8",
        };
        var services = new List<ChildProcess.Background>
        {
            ChildProcess.StartSelf(["services", "data-prep", "evaluator", "rank-analysis"], environment, Path.Combine(logs, "stages.log")),
        };
        services.AddRange(Enumerable.Range(1, trainers)
            .Select(i => ChildProcess.StartSelf(["services", "trainer"], environment, Path.Combine(logs, $"trainer-{i}.log"))));
        try
        {
            var requestFile = Path.Combine(logs, "request.json");
            // Each round its own seed: a run identical to one already trained would resume at its end instead of training.
            File.WriteAllText(requestFile, Request(name, settings.Tokens, seed: trainers));
            ChildProcess.RunSelf(["submit", requestFile], environment);
            AnsiConsole.MarkupLineInterpolated($"{trainers} trainer(s): submitted {name}; logs in {logs}");
            var (training, wall) = await FollowAsync(pipeline, name, services, ct);
            var perTrainer = Enumerable.Range(1, trainers).ToDictionary(i => $"trainer-{i}", i => TrainedRuns(Path.Combine(logs, $"trainer-{i}.log")));
            var audit = await AuditAsync(pipeline, environment["Pipeline__DataDirectory"], name, ct);
            int trainedTwice = perTrainer.Values.SelectMany(r => r).GroupBy(r => r).Count(g => g.Count() > 1);
            return new Round(trainers, training.TotalSeconds, Runs * settings.Tokens / training.TotalSeconds, wall.TotalSeconds,
                perTrainer.ToDictionary(p => p.Key, p => p.Value.Count), trainedTwice, audit.ResultsLost, audit.Complete && audit.Consistent);
        }
        finally
        {
            foreach (var service in services) service.Dispose();
        }
    }

    /// <summary>Polls the runs until the experiment completes; the clock starts when the first run starts training.</summary>
    static async Task<(TimeSpan Training, TimeSpan Wall)> FollowAsync(PipelineSettings pipeline, string name,
        IReadOnlyList<ChildProcess.Background> services, CancellationToken ct)
    {
        var clock = new Stopwatch();
        TimeSpan? training = null;
        var deadline = DateTime.UtcNow.AddMinutes(60);
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(500, ct);
            if (services.FirstOrDefault(s => s.HasExited) is not null) throw new InvalidOperationException($"a service process of {name} exited; see its log");
            await using var db = await CliHosts.OpenDatabaseAsync(pipeline, ct);
            var experiment = await db.Experiments.AsNoTracking().SingleOrDefaultAsync(e => e.Name == name, ct);
            if (experiment is null) continue;
            var runs = await db.Runs.AsNoTracking().Where(r => r.ExperimentId == experiment.Id).Select(r => r.Status).ToListAsync(ct);
            if (runs.Any(s => s is RunStatus.Failed or RunStatus.Diverged)) throw new InvalidOperationException($"a run of {name} failed; see `pipeline status {name}`");
            if (!clock.IsRunning && runs.Any(s => s != RunStatus.Queued)) clock.Start();
            if (training is null && runs.Count == Runs && runs.All(s => s is RunStatus.Trained or RunStatus.Completed)) training = clock.Elapsed;
            if (experiment.Status == ExperimentStatus.Completed) return (training ?? clock.Elapsed, clock.Elapsed);
        }
        throw new TimeoutException($"{name} did not complete within 60 minutes");
    }

    static async Task<AuditReport> AuditAsync(PipelineSettings pipeline, string dataDirectory, string name, CancellationToken ct)
    {
        await using var db = await CliHosts.OpenDatabaseAsync(pipeline, ct);
        var experiment = await db.Experiments.AsNoTracking().SingleAsync(e => e.Name == name, ct);
        return await new ExperimentAudit(db, new ArtifactStore(Path.Combine(dataDirectory, "artifacts"))).RunAsync(experiment, ct);
    }

    /// <summary>The cell keys a trainer logged as trained.</summary>
    static List<string> TrainedRuns(string log) =>
        [.. File.ReadLines(log).Select(line => TrainedLine().Match(line)).Where(m => m.Success).Select(m => m.Groups[1].Value)];

    [GeneratedRegex("""Run "?([^"\s]+)"? trained""")]
    private static partial Regex TrainedLine();

    static string Request(string name, long tokens, int seed) => $$"""
        {
          "name": "{{name}}",
          "seeds": [{{seed}}],
          "baseModel": { "preset": "tiny" },
          "datasets": { "source": "prose", "target": "python" },
          "regime": "cpt",
          "tokenBudget": {{tokens}},
          "milestones": [{{tokens / 2}}, {{tokens}}],
          "grid": [
            { "method": "full", "learningRates": [0.0001, 0.0003], "optimizer": "lionw", "schedule": "cosine" },
            { "method": "lora", "ranks": [4], "targetModules": ["all"], "learningRates": [0.001, 0.003], "optimizer": "lionw", "schedule": "cosine" }
          ],
          "evalTasks": ["prose-perplexity", "python-perplexity"]
        }
        """;

    static void Write(Result result, string work)
    {
        var table = new Table().AddColumns("trainers", "training (4 runs)", "training tokens/s", "first run → completed", "runs per trainer",
            "trained twice", "results lost", "audit");
        foreach (var r in result.Rounds)
            table.AddRow($"{r.Trainers}", $"{r.TrainingSeconds:F1} s", $"{r.TrainingTokensPerSecond:N0}", $"{r.WallSeconds:F1} s",
                string.Join(", ", r.RunsPerTrainer.Values), $"{r.RunsTrainedTwice}", $"{r.ResultsLost}", r.AuditPassed ? "[green]passed[/]" : "[red]FAILED[/]");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"2 trainers vs 1: training throughput {result.TrainingSpeedup:F2}×, experiment {result.WallSpeedup:F2}× faster (logs in {work})");
    }
}
