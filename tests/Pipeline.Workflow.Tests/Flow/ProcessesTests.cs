using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Pipeline.Persistence.Rows;
using Pipeline.Workflow.Tests.Fixtures;

namespace Pipeline.Workflow.Tests.Flow;

/// <summary>
/// The product as users run it: each service a separate `pipeline services NAME` process (two trainers competing),
/// on the real compute, over real RabbitMQ with results in PostgreSQL; submitted and queried through the CLI.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class When_the_services_run_as_separate_processes(TestServers servers)
{
    [Fact]
    public async Task Should_run_a_four_run_study_with_two_trainer_processes_and_answer_the_cli()
    {
        await using var bed = await TestBed.OnServersAsync(servers);
        When_a_small_study_runs_embedded_on_the_real_compute.ReduceCompute(bed);
        var environment = bed.Configuration.ToDictionary(p => p.Key.Replace(":", "__"), p => p.Value);
        var processes = new[] { "data-prep", "trainer", "trainer", "evaluator", "rank-analysis" }
            .Select(name => (Name: name, Process: PipelineCli.Start(environment, out var output, "services", name), Output: output)).ToList();
        try
        {
            var study = When_a_small_study_runs_embedded_on_the_real_compute.SmallStudy("processes") with
            {
                Grid =
                [
                    new() { Method = "full", LearningRates = [1e-4, 3e-4], Optimizer = "lionw", Schedule = "cosine" },
                    new() { Method = "lora", Ranks = [2], TargetModules = ["attention"], LearningRates = [1e-3, 3e-3], Optimizer = "lionw", Schedule = "cosine" },
                ],
            };
            var file = Path.Combine(bed.DataDirectory, "study.json");
            await File.WriteAllTextAsync(file, JsonSerializer.Serialize(study, JsonSerializerOptions.Web));
            Assert.Equal(0, (await PipelineCli.RunAsync(environment, "submit", file)).ExitCode);

            await bed.WaitUntilAsync(db => db.Experiments.AnyAsync(e => e.Name == "processes" && e.Status == ExperimentStatus.Completed),
                "the study completes", seconds: 900);

            await using var db = bed.OpenDb();
            Assert.Empty(await db.Failures.ToListAsync());
            Assert.Equal(4, await db.Runs.CountAsync(r => r.Status == RunStatus.Completed));
            Assert.Equal(12, await db.Checkpoints.CountAsync(c => c.EvaluatedAt != null && c.RankAnalysedAt != null)); // 4 × (base + 2)
            Assert.Equal(12 * 2, await db.Metrics.CountAsync(m => m.Metric == "bits_per_byte")); // no duplicates
            var (exitCode, csv) = await PipelineCli.RunAsync(environment, "results", "processes", "--format", "csv", "--metric", "bits_per_byte");
            Assert.Equal(0, exitCode);
            Assert.Equal(24, csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(line => line.Contains("bits_per_byte")));
            await AssertSamplesPoolToTheMetricsAsync(environment, db);
            var (tableExit, table) = await PipelineCli.RunAsync(environment, "results", "processes");
            Assert.Equal(0, tableExit);
            Assert.Contains("0 (base)", table); // the curves start at the base model
            var trained = processes.Where(p => p.Name == "trainer").Select(p => p.Output.Count(line => line.Contains(" trained"))).ToList();
            Assert.All(trained, runs => Assert.True(runs > 0, "both trainer processes take runs"));
            Assert.Equal(4, trained.Sum());
        }
        finally
        {
            foreach (var process in processes) PipelineCli.Stop(process.Process);
        }
    }

    /// <summary>Every checkpoint's exported per-document records pool to its bits/byte row: Σ −loglikelihood / (ln 2 · Σ bytes).</summary>
    private static async Task AssertSamplesPoolToTheMetricsAsync(IReadOnlyDictionary<string, string?> environment, Persistence.ResultsDb db)
    {
        var (exitCode, jsonl) = await PipelineCli.RunAsync(environment, "results", "processes", "--samples");
        Assert.Equal(0, exitCode);
        var samples = jsonl.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(line => line.StartsWith('{')).Select(line => System.Text.Json.Nodes.JsonNode.Parse(line)!.AsObject())
            .Where(o => o.ContainsKey("bytes")).ToList();
        var pooled = samples.GroupBy(o => ((string)o["run"]!, (long)o["tokens"]!, (string)o["task"]!))
            .ToDictionary(g => g.Key, g => -g.Sum(o => (double)o["loglikelihood"]!) / (Math.Log(2) * g.Sum(o => (double)o["bytes"]!)));
        var metrics = await Persistence.Queries.ResultsQueries.MetricsAsync(db, new("processes", Metric: "bits_per_byte"), default);
        Assert.Equal(metrics.Count, pooled.Count); // one record set per checkpoint and task, none missing or doubled
        Assert.All(metrics, m => Assert.Equal(m.Value, pooled[(m.Run, m.TokensSeen, m.Task)], 9));
    }
}
