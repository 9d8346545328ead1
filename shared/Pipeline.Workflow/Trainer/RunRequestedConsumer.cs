using MassTransit;
using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts;
using Pipeline.Contracts.Stages;
using Pipeline.Hosting.Messaging;
using Pipeline.Persistence;
using Pipeline.Persistence.Rows;
using Pipeline.Workflow.Orchestration;
using Serilog;

namespace Pipeline.Workflow.Trainer;

/// <summary>
/// Trains one grid cell and announces each milestone's checkpoint, after the base model itself as the checkpoint at
/// zero tokens (the start of the learning and forgetting curves). A redelivered message (crash, SIGTERM) resumes:
/// the stage yields the checkpoints already on disk again, and rows are keyed by (run, milestone).
/// </summary>
public sealed class RunRequestedConsumer(ResultsDb db, Outbox outbox, ITrainerStage trainer, ResultsDbSettings settings, RunFailures failures)
    : IConsumer<RunRequested>
{
    public async Task Consume(ConsumeContext<RunRequested> context)
    {
        var message = context.Message;
        var ct = context.CancellationToken;
        var run = await db.Runs.SingleOrDefaultAsync(r => r.Id == message.RunId, ct)
            ?? throw new InvalidDataException($"run {message.RunId} is not in the results database");
        if (run.Status is RunStatus.Completed or RunStatus.Trained or RunStatus.Failed or RunStatus.Diverged)
        {
            Log.Information("Run {CellKey} is {Status}; nothing to train", run.CellKey, run.Status);
            return;
        }
        run.Status = RunStatus.Training;
        run.UpdatedAt = DateTime.UtcNow;
        await db.SaveChangesAsync(ct);

        await AnnounceAsync(message, CheckpointArtifact.OfBase(message.Run.BaseModel), ct);
        try
        {
            await using (var recorder = new TrainingRecorder(settings, run.Id))
                await foreach (var checkpoint in trainer.FinetuneAsync(message.Run, recorder, ct))
                    await AnnounceAsync(message, checkpoint, ct);
        }
        catch (RunDivergedException diverged)
        {
            await failures.RecordAsync(message, "trainer", diverged.Message, DeterministicId.From("diverged", run.Id.ToString()), RunStatus.Diverged, ct);
            return;
        }
        await db.Runs.Where(r => r.Id == run.Id && r.Status == RunStatus.Training)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Trained).SetProperty(r => r.UpdatedAt, DateTime.UtcNow)
                .SetProperty(r => r.Step, r => r.TotalSteps).SetProperty(r => r.TokensSeen, r => r.TotalTokens), ct); // progress lost with a killed attempt still reads 100%
        Log.Information("Run {CellKey} trained", run.CellKey);
    }

    async Task AnnounceAsync(RunRequested message, CheckpointArtifact checkpoint, CancellationToken ct)
    {
        var id = DeterministicId.Checkpoint(message.RunId, checkpoint.MilestoneIndex);
        if (!await db.Checkpoints.AnyAsync(c => c.Id == id, ct))
            db.Checkpoints.Add(new CheckpointRow
            {
                Id = id, RunId = message.RunId, MilestoneIndex = checkpoint.MilestoneIndex, Step = checkpoint.Step,
                TokensSeen = checkpoint.TokensSeen, ModelPath = checkpoint.Model.Path, ModelSha256 = checkpoint.Model.Sha256,
                AdapterPath = checkpoint.Adapter?.Path, AdapterSha256 = checkpoint.Adapter?.Sha256, SavedAt = DateTime.UtcNow,
            });
        // Announced again on resume: evaluator and rank-analysis skip what they have already written.
        outbox.Add(new CheckpointSaved(message.ExperimentId, message.RunId, id, checkpoint, message.Run));
        await db.SaveChangesAsync(ct);
        await outbox.DispatchAsync(ct);
        Log.Information("Checkpoint {Milestone} saved at step {Step}, {Tokens} tokens", checkpoint.MilestoneIndex, checkpoint.Step, checkpoint.TokensSeen);
    }
}

public sealed class RunRequestedConsumerDefinition : OneAtATimeDefinition<RunRequestedConsumer>;
