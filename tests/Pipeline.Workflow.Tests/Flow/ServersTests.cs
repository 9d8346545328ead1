using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Persistence.Queries;
using Pipeline.Persistence.Rows;
using Pipeline.Workflow;
using Pipeline.Workflow.Orchestration;
using Pipeline.Workflow.Tests.Fixtures;

namespace Pipeline.Workflow.Tests.Flow;

/// <summary>Each service in its own host (own bus connection, own DI container) over real RabbitMQ and PostgreSQL.</summary>
[Collection(ServersCollection.Name)]
public sealed class When_services_run_as_separate_hosts_over_RabbitMQ(TestServers servers)
{
    [Fact]
    public async Task Should_share_runs_between_competing_trainers_and_complete_once()
    {
        await using var bed = await TestBed.OnServersAsync(servers);
        var (trainerA, trainerB) = (new ComputeTestDouble("trainer-a") { StepDelay = TimeSpan.FromMilliseconds(300) },
            new ComputeTestDouble("trainer-b") { StepDelay = TimeSpan.FromMilliseconds(300) });
        var other = new ComputeTestDouble();
        var dataPrep = await bed.StartAsync([PipelineService.DataPrep], other);
        await bed.StartAsync([PipelineService.Trainer], trainerA);
        await bed.StartAsync([PipelineService.Trainer], trainerB);
        await bed.StartAsync([PipelineService.Evaluator], other);
        await bed.StartAsync([PipelineService.RankAnalysis], other);

        var submitted = await TestBed.SubmitAsync(dataPrep, TestRequests.Valid("shared", 2, 4, 8)); // 4 runs
        await bed.WaitUntilAsync(db => db.Experiments.AnyAsync(e => e.Id == submitted.ExperimentId && e.Status == ExperimentStatus.Completed), "the experiment completes", 120);

        Assert.NotEmpty(trainerA.TrainedRuns);
        Assert.NotEmpty(trainerB.TrainedRuns);
        Assert.Empty(trainerA.TrainedRuns.Intersect(trainerB.TrainedRuns));
        Assert.Equal(4, trainerA.TrainedRuns.Count + trainerB.TrainedRuns.Count);
        await using var db = bed.OpenDb();
        Assert.Equal(16, await db.Checkpoints.CountAsync()); // 4 runs × (base + 3 milestones)
        Assert.Equal(32, await db.Metrics.CountAsync());
        var runs = await StatusQueries.RunsAsync(db, submitted.ExperimentId, CancellationToken.None);
        Assert.All(runs, r => Assert.Equal(("done", 4), (r.Stage, r.CheckpointsDone)));
        var lora4 = await ResultsQueries.MetricsAsync(db, new ResultFilter("shared", Method: "lora", Rank: 4), CancellationToken.None);
        Assert.Equal(8, lora4.Count); // (base + 3 checkpoints) × 2 tasks, only the r=4 run
        Assert.All(lora4, l => Assert.Equal(4, l.Rank));
    }

    [Fact]
    public async Task Should_send_a_poison_run_to_the_error_queue_mark_it_failed_and_retry_it()
    {
        await using var bed = await TestBed.OnServersAsync(servers);
        var compute = new ComputeTestDouble();
        compute.PoisonLearningRates[1e-2] = true; // the LoRA cell
        var host = await bed.StartAsync(PipelineServices.All, compute);
        var submitted = await TestBed.SubmitAsync(host, TestRequests.Valid("poison"));

        await bed.WaitUntilAsync(async db => await db.Runs.CountAsync(r => r.Status == RunStatus.Failed) == 1
            && await db.Runs.CountAsync(r => r.Status == RunStatus.Completed) == 1, "one run fails, the other completes");
        await using (var db = bed.OpenDb())
        {
            var failed = await db.Runs.SingleAsync(r => r.Status == RunStatus.Failed);
            Assert.Equal(3, compute.TrainingAttempts[failed.Id]); // bounded: 1 + 2 retries
            var failures = await StatusQueries.FailuresAsync(db, submitted.ExperimentId, CancellationToken.None);
            Assert.Contains("poisoned run", Assert.Single(failures).Reason);
            Assert.Equal(("trainer", failed.CellKey), (failures[0].Stage, failures[0].CellKey));
        }
        // The failure row is written before MassTransit moves the message to the error queue: wait for both.
        await bed.WaitUntilAsync(async _ => await servers.QueueLengthAsync(bed.RabbitMq!, "run-requested_error") == 1, "the poison run reaches the error queue");

        compute.PoisonLearningRates.Clear(); // the cause is fixed; `pipeline retry <run>`
        await using (var scope = host.Services.CreateAsyncScope())
        await using (var db = bed.OpenDb())
            await scope.ServiceProvider.GetRequiredService<RunRetry>().RetryAsync((await db.Runs.SingleAsync(r => r.Status == RunStatus.Failed)).Id, publishNow: true, CancellationToken.None);
        await bed.WaitUntilAsync(db => db.Experiments.AnyAsync(e => e.Status == ExperimentStatus.Completed), "the retried experiment completes", 120);
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("sqlite")]
    public async Task Should_refuse_a_second_row_for_the_same_natural_key(string provider)
    {
        await using var bed = provider == "postgres" ? await TestBed.OnServersAsync(servers) : TestBed.Embedded();
        await bed.StartAsync([], new ComputeTestDouble()); // migrates the database
        await using var db = bed.OpenDb();
        var row = () => new FailureRow { FailureId = Guid.Empty, ExperimentId = Guid.NewGuid(), Stage = "s", Reason = "r", OccurredAt = DateTime.UtcNow };
        db.Failures.Add(row());
        await db.SaveChangesAsync();
        db.Failures.Add(row());
        var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        Assert.True(global::Pipeline.Persistence.ResultsDb.IsUniqueViolation(error));
    }
}

/// <summary>SIGTERM on a trainer (its host stopping mid-run): the message goes back to the broker, another trainer resumes it.</summary>
[Collection(ServersCollection.Name)]
public sealed class When_a_trainer_stops_mid_run(TestServers servers)
{
    [Fact]
    public async Task Should_release_the_run_to_another_trainer_without_duplicating_rows()
    {
        await using var bed = await TestBed.OnServersAsync(servers);
        bed.Configuration["Pipeline:ConsumerStopSeconds"] = "0.5";
        var stopping = new ComputeTestDouble("stopping") { StepDelay = TimeSpan.FromSeconds(2) };
        var other = new ComputeTestDouble();
        var dataPrep = await bed.StartAsync([PipelineService.DataPrep, PipelineService.Evaluator, PipelineService.RankAnalysis], other);
        var first = await bed.StartAsync([PipelineService.Trainer], stopping);
        var request = TestRequests.Valid("sigterm") with { Grid = [new() { Method = "full", LearningRates = [1e-3] }] };
        await TestBed.SubmitAsync(dataPrep, request);
        await bed.WaitUntilAsync(db => db.Checkpoints.AnyAsync(), "the first checkpoint is saved", 60);

        await first.StopAsync(); // what SIGTERM does: stop consuming, cancel the in-flight run after ConsumerStopSeconds
        await bed.StartAsync([PipelineService.Trainer], other);
        await bed.WaitUntilAsync(db => db.Experiments.AnyAsync(e => e.Status == ExperimentStatus.Completed), "the run completes on the other trainer");

        var runId = Assert.Single(stopping.TrainingAttempts.Keys);
        Assert.Equal(1, other.TrainingAttempts[runId]);
        await using var db = bed.OpenDb();
        Assert.Equal(4, await db.Checkpoints.CountAsync());
        Assert.Equal(8, await db.Metrics.CountAsync());
        Assert.Empty(await db.Failures.ToListAsync());
    }
}
