using Microsoft.EntityFrameworkCore;
using Pipeline.Persistence.Rows;

namespace Pipeline.Persistence.Queries;

public sealed record ExperimentSummary(Guid Id, string Name, ExperimentStatus Status, int Runs, int RunsCompleted, int RunsFailed, DateTime SubmittedAt, DateTime? CompletedAt);

public sealed record RunStatusLine(
    Guid Id, string CellKey, RunStatus Status, string Stage, long Step, long TotalSteps, long TokensSeen, long TotalTokens,
    double? Loss, double? TokensPerSecond, double? EtaSeconds, int Checkpoints, int CheckpointsDone, int CheckpointCount);

public sealed record FailureLine(Guid? RunId, string? CellKey, string Stage, string Reason, DateTime OccurredAt);

/// <summary>What `pipeline status` shows; each query is served by an index (runs by experiment and status, failures by run).</summary>
public static class StatusQueries
{
    public static async Task<IReadOnlyList<ExperimentSummary>> ExperimentsAsync(ResultsDb db, CancellationToken ct) =>
        await db.Experiments.AsNoTracking().OrderByDescending(e => e.SubmittedAt)
            .Select(e => new ExperimentSummary(e.Id, e.Name, e.Status,
                db.Runs.Count(r => r.ExperimentId == e.Id),
                db.Runs.Count(r => r.ExperimentId == e.Id && r.Status == RunStatus.Completed),
                db.Runs.Count(r => r.ExperimentId == e.Id && (r.Status == RunStatus.Failed || r.Status == RunStatus.Diverged)),
                e.SubmittedAt, e.CompletedAt))
            .ToListAsync(ct);

    public static async Task<ExperimentRow?> FindExperimentAsync(ResultsDb db, string nameOrId, CancellationToken ct) =>
        Guid.TryParse(nameOrId, out var id)
            ? await db.Experiments.AsNoTracking().SingleOrDefaultAsync(e => e.Id == id, ct)
            : await db.Experiments.AsNoTracking().SingleOrDefaultAsync(e => e.Name == nameOrId, ct);

    public static async Task<IReadOnlyList<RunStatusLine>> RunsAsync(ResultsDb db, Guid experimentId, CancellationToken ct)
    {
        var runs = await db.Runs.AsNoTracking().Where(r => r.ExperimentId == experimentId).OrderBy(r => r.CellKey).ToListAsync(ct);
        var runIds = runs.Select(r => r.Id).ToList();
        var checkpoints = await db.Checkpoints.AsNoTracking().Where(c => runIds.Contains(c.RunId))
            .Select(c => new { c.RunId, Done = c.EvaluatedAt != null && c.RankAnalysedAt != null }).ToListAsync(ct);
        return runs.Select(r =>
        {
            var mine = checkpoints.Where(c => c.RunId == r.Id).ToList();
            var done = mine.Count(c => c.Done);
            return new RunStatusLine(r.Id, r.CellKey, r.Status, StageOf(r, mine.Count, done), r.Step, r.TotalSteps, r.TokensSeen, r.TotalTokens,
                r.Loss, r.TokensPerSecond, r.EtaSeconds, mine.Count, done, CheckpointCount(r));
        }).ToList();
    }

    public static async Task<IReadOnlyList<FailureLine>> FailuresAsync(ResultsDb db, Guid experimentId, CancellationToken ct) =>
        await (from f in db.Failures.AsNoTracking()
               where f.ExperimentId == experimentId
               join r in db.Runs on f.RunId equals r.Id into runs
               from r in runs.DefaultIfEmpty()
               orderby f.OccurredAt
               select new FailureLine(f.RunId, r == null ? null : r.CellKey, f.Stage, f.Reason, f.OccurredAt)).ToListAsync(ct);

    static string StageOf(RunRow run, int checkpoints, int done) => run.Status switch
    {
        RunStatus.Queued => "queued",
        RunStatus.Training => $"training (checkpoint {checkpoints}/{CheckpointCount(run)})",
        RunStatus.Trained => $"analysing ({done}/{CheckpointCount(run)} checkpoints done)",
        RunStatus.Completed => "done",
        RunStatus.Diverged => "diverged",
        _ => "failed",
    };

    /// <summary>The base model's checkpoint at zero tokens, then one per milestone.</summary>
    static int CheckpointCount(RunRow run) => run.MilestoneCount + 1;
}
