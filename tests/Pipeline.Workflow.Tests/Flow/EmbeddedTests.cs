using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Contracts;
using Pipeline.Contracts.Experiments;
using Pipeline.Contracts.Stages;
using Pipeline.Hosting.Messaging;
using Pipeline.Persistence.Queries;
using Pipeline.Persistence.Rows;
using Pipeline.Workflow;
using Pipeline.Workflow.Tests.Fixtures;

namespace Pipeline.Workflow.Tests.Flow;

/// <summary>The embedded default: all four services in one process, in-memory bus, SQLite file.</summary>
public sealed class When_an_experiment_runs_embedded
{
    [Fact]
    public async Task Should_complete_every_run_and_reuse_the_cached_base_model()
    {
        await using var bed = TestBed.Embedded();
        var compute = new ComputeTestDouble();
        var host = await bed.StartAsync(PipelineServices.All, compute);

        var first = await TestBed.SubmitAsync(host, TestRequests.Valid("first"));
        await bed.WaitUntilAsync(db => db.Experiments.AnyAsync(e => e.Id == first.ExperimentId && e.Status == ExperimentStatus.Completed), "first completes");
        var second = await TestBed.SubmitAsync(host, TestRequests.Valid("second", 8));
        await bed.WaitUntilAsync(db => db.Experiments.AnyAsync(e => e.Id == second.ExperimentId && e.Status == ExperimentStatus.Completed), "second completes");

        await using var db = bed.OpenDb();
        Assert.Single(compute.Pretrained); // the base model is pretrained once and reused from the cache
        Assert.Equal(4, await db.Runs.CountAsync(r => r.Status == RunStatus.Completed));
        Assert.Equal(16, await db.Checkpoints.CountAsync(c => c.EvaluatedAt != null && c.RankAnalysedAt != null)); // 4 runs × (base + 3 milestones)
        Assert.Equal(32, await db.Metrics.CountAsync()); // 16 checkpoints × 2 tasks
        Assert.Equal(32 * 4, await db.Samples.CountAsync()); // × 4 items, the base's copied to every run that announces it
        var baseCheckpoints = await db.Checkpoints.Where(c => c.MilestoneIndex == CheckpointArtifact.BaseMilestone).ToListAsync();
        Assert.Equal(4, baseCheckpoints.Count(c => c.TokensSeen == 0));
        Assert.Equal(2, baseCheckpoints.Count(c => compute.Evaluations.ContainsKey(c.Id))); // scored once per experiment, reused by its other run
        Assert.Equal(6 * 7 + 6 * 4, await db.RankAnalyses.CountAsync()); // full: 7 modules, LoRA on attention: 4
        Assert.Equal(0, await db.Outbox.CountAsync(o => o.DispatchedAt == null));
        Assert.True(await db.TrainingCurves.CountAsync() >= 12);
        Assert.Empty(await db.Failures.ToListAsync());
    }

    [Fact]
    public async Task Should_write_results_once_when_a_checkpoint_is_announced_again()
    {
        await using var bed = TestBed.Embedded();
        var compute = new ComputeTestDouble();
        var host = await bed.StartAsync(PipelineServices.All, compute);
        var submitted = await TestBed.SubmitAsync(host, TestRequests.Valid());
        await bed.WaitUntilAsync(db => db.Experiments.AnyAsync(e => e.Status == ExperimentStatus.Completed), "the experiment completes");

        var counter = new ConsumedCounter();
        var bus = host.Services.GetRequiredService<IBus>();
        using var _ = bus.ConnectConsumeObserver(counter);
        CheckpointSaved again;
        List<string> samplesBefore;
        await using (var db = bed.OpenDb())
        {
            samplesBefore = await SamplesAsync(db);
            var checkpoint = await db.Checkpoints.FirstAsync();
            var run = await db.Runs.SingleAsync(r => r.Id == checkpoint.RunId);
            var request = run.ReadRequest();
            again = new CheckpointSaved(submitted.ExperimentId, run.Id, checkpoint.Id,
                new CheckpointArtifact(checkpoint.MilestoneIndex, checkpoint.Step, checkpoint.TokensSeen, new ArtifactRef(checkpoint.ModelPath, checkpoint.ModelSha256), null),
                request.Run);
        }
        await bus.Publish(again);
        await bus.Publish(again);
        await counter.WaitForAsync<CheckpointSaved>(4); // two deliveries × (evaluator, rank-analysis)

        await using var after = bed.OpenDb();
        Assert.Equal(16, await after.Metrics.CountAsync());
        Assert.Equal(samplesBefore, await SamplesAsync(after)); // none duplicated, none changed
        Assert.Equal(3 * 7 + 3 * 4, await after.RankAnalyses.CountAsync());
        Assert.All(compute.Evaluations.Values, n => Assert.Equal(1, n));
        Assert.Equal(2, await after.Runs.CountAsync(r => r.Status == RunStatus.Completed));
    }

    static Task<List<string>> SamplesAsync(Persistence.ResultsDb db) => db.Samples.OrderBy(s => s.CheckpointId).ThenBy(s => s.Task).ThenBy(s => s.DocId)
        .Select(s => $"{s.CheckpointId} {s.Task} {s.DocId} {s.ItemId} {s.SourceId} {s.ValuesJson} {s.ResponsesJson}").ToListAsync();

    [Fact]
    public async Task Should_export_samples_whose_means_equal_the_metrics()
    {
        await using var bed = TestBed.Embedded();
        var host = await bed.StartAsync(PipelineServices.All, new ComputeTestDouble());
        await TestBed.SubmitAsync(host, TestRequests.Valid("exported"));
        await bed.WaitUntilAsync(db => db.Experiments.AnyAsync(e => e.Status == ExperimentStatus.Completed), "the experiment completes");

        await using var db = bed.OpenDb();
        var lines = (await ResultsQueries.SamplesAsync(db, new SampleFilter("exported"), default)).Select(SamplesExport.Line).ToList();
        var metrics = await ResultsQueries.MetricsAsync(db, new ResultFilter("exported", Metric: "acc"), default);

        var exported = lines.Select(line => JsonNode.Parse(line)!.AsObject()).ToList();
        Assert.All(exported, o => Assert.True(o.ContainsKey("doc_id") && o.ContainsKey("doc") && o.ContainsKey("resps") && o.ContainsKey("filtered_resps")));
        var means = exported.GroupBy(o => ((string)o["run"]!, (long)o["tokens"]!, (string)o["task"]!)).ToDictionary(g => g.Key, g => g.Average(o => (double)o["acc"]!));
        Assert.Equal(metrics.Count, means.Count);
        Assert.All(metrics, m => Assert.Equal(m.Value, means[(m.Run, m.TokensSeen, m.Task)], 12));
    }

    [Fact]
    public async Task Should_stop_a_diverged_run_once_and_let_the_others_finish()
    {
        await using var bed = TestBed.Embedded();
        var compute = new ComputeTestDouble();
        compute.DivergingLearningRates[1e-2] = true; // the LoRA cell
        var host = await bed.StartAsync(PipelineServices.All, compute);
        await TestBed.SubmitAsync(host, TestRequests.Valid());
        await bed.WaitUntilAsync(async db => await db.Runs.CountAsync(r => r.Status == RunStatus.Completed || r.Status == RunStatus.Diverged) == 2, "both runs stop");

        await using var db = bed.OpenDb();
        var diverged = await db.Runs.SingleAsync(r => r.Status == RunStatus.Diverged);
        var failure = await db.Failures.SingleAsync();
        Assert.Equal(diverged.Id, failure.RunId);
        Assert.Contains("diverged at step 10", failure.Reason);
        Assert.Equal(1, compute.TrainingAttempts[diverged.Id]); // no retries, no crash loop
        Assert.Equal(ExperimentStatus.Running, (await db.Experiments.SingleAsync()).Status);
    }

    [Fact]
    public async Task Should_publish_what_a_crashed_consumer_committed_but_never_sent()
    {
        await using var bed = TestBed.Embedded();
        var host = await bed.StartAsync(PipelineServices.All, new ComputeTestDouble());
        var request = TestRequests.Valid("orphan");
        var id = DeterministicId.Experiment("orphan");
        await using (var db = bed.OpenDb())
        {
            // What a submit that committed and then died before publishing leaves behind.
            db.Experiments.Add(new ExperimentRow
            {
                Id = id, Name = "orphan", ContentHash = ExperimentRequestFile.ContentHash(request),
                RequestJson = StoredJson.Write(request),
                Status = ExperimentStatus.Submitted, SubmittedAt = DateTime.UtcNow,
            });
            var row = OutboxMessages.ToRow(new ExperimentSubmitted(id, "orphan", Experiment.Resolve(request)), DateTime.UtcNow - OutboxSweeper.Grace - TimeSpan.FromSeconds(1));
            db.Outbox.Add(row);
            await db.SaveChangesAsync();
        }
        Assert.Equal(1, await host.Services.GetRequiredService<OutboxSweeper>().SweepAsync(CancellationToken.None));
        await bed.WaitUntilAsync(db => db.Experiments.AnyAsync(e => e.Id == id && e.Status == ExperimentStatus.Completed), "the orphaned experiment completes");
    }
}
