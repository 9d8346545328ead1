using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts;
using Pipeline.Contracts.Experiments;
using Pipeline.Persistence;
using Pipeline.Persistence.Queries;
using Pipeline.Persistence.Rows;
using Pipeline.Reporting;
using Pipeline.Reporting.Scoring;

namespace Pipeline.Dashboard.Api;

public sealed record RunSummary(
    Guid Id, string CellKey, string Label, string Method, int? Rank, string TargetModules, double LearningRate, double WeightDecay,
    double Dropout, int Seed, RunStatus Status, long Step, long TotalSteps, long TokensSeen, long TotalTokens, double? Loss,
    double? TokensPerSecond, double? EtaSeconds, int CheckpointsDone, int Checkpoints);

/// <summary>A run's configuration and live status, as the grid, the run page and the filters show it.</summary>
static class RunSummaries
{
    public static async Task<List<RunSummary>> ForExperimentAsync(ResultsDb db, Guid experimentId, CancellationToken ct)
    {
        var status = await StatusQueries.RunsAsync(db, experimentId, ct);
        var runs = await db.Runs.AsNoTracking().Where(r => r.ExperimentId == experimentId).ToDictionaryAsync(r => r.Id, ct);
        return [.. status.Select(s => Of(s, runs[s.Id].Method, runs[s.Id].ReadRequest().Run.Spec))];
    }

    static RunSummary Of(RunStatusLine s, string method, GridCell spec)
    {
        string modules = Vocabulary.ModuleSetName(spec.TargetModules);
        var config = new RunConfig(method, method == "full" ? null : spec.Rank, method == "full" ? "all" : modules, spec.WeightDecay, spec.Dropout);
        return new RunSummary(s.Id, s.CellKey, $"{config.Label} lr={Units.Rate(spec.LearningRate)}", method, spec.Rank, modules,
            spec.LearningRate, spec.WeightDecay, spec.Dropout, spec.Seed, s.Status, s.Step, s.TotalSteps, s.TokensSeen, s.TotalTokens,
            s.Loss, s.TokensPerSecond, s.EtaSeconds, s.CheckpointsDone, s.CheckpointCount);
    }
}
