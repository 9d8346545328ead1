using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts;
using Pipeline.Contracts.Experiments;
using Pipeline.Contracts.Stages;
using Pipeline.Hosting.Messaging;
using Pipeline.Persistence;
using Pipeline.Persistence.Rows;

namespace Pipeline.Workflow.DataPrep;

/// <summary>Creates one run row and one RunRequested per grid cell; cells that already have a row are skipped.</summary>
public sealed class RunFanOut(ResultsDb db, Outbox outbox)
{
    public async Task<int> FanOutAsync(ExperimentRow experiment, PreparedData prepared, ModelArtifact baseModel, CancellationToken ct)
    {
        var plan = experiment.ReadExperiment();
        var existing = await db.Runs.Where(r => r.ExperimentId == experiment.Id).Select(r => r.CellKey).ToListAsync(ct);
        var created = 0;
        foreach (var spec in plan.Cells.Where(s => !existing.Contains(s.Key)))
        {
            var runId = DeterministicId.Run(experiment.Id, spec.Key);
            var run = new RunRequest(experiment.Id, runId, spec, plan.Regime, plan.TokenBudget, plan.Milestones,
                baseModel, prepared.Datasets, prepared.EvalTasks);
            var message = new RunRequested(experiment.Id, runId, run);
            db.Runs.Add(new RunRow
            {
                Id = runId, ExperimentId = experiment.Id, CellKey = spec.Key, Method = spec.Method, Rank = spec.Rank,
                LearningRate = spec.LearningRate, Seed = spec.Seed, RequestJson = StoredJson.Write(message), Status = RunStatus.Queued,
                MilestoneCount = plan.Milestones.Count, TotalTokens = plan.TokenBudget, UpdatedAt = DateTime.UtcNow,
            });
            outbox.Add(message);
            created++;
        }
        experiment.Status = ExperimentStatus.Running;
        await db.SaveChangesAsync(ct);
        await outbox.DispatchAsync(ct);
        return created;
    }
}
