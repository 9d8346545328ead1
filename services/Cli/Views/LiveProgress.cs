using Pipeline.Cli.Hosting;
using Pipeline.Hosting;
using Pipeline.Persistence.Queries;
using Pipeline.Persistence.Rows;
using Spectre.Console;

namespace Pipeline.Cli.Views;

/// <summary>Live progress bars, one per run, read from the results database until the experiment finishes.</summary>
static class LiveProgress
{
    /// <summary>Returns true when the experiment completed, false when it stopped with failed runs.</summary>
    public static async Task<bool> FollowAsync(PipelineSettings settings, Guid experimentId, CancellationToken ct)
    {
        var outcome = false;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
            .StartAsync(async progress =>
            {
                var bars = new Dictionary<Guid, ProgressTask>();
                var preparing = progress.AddTask("preparing data and base model", maxValue: 1);
                while (!ct.IsCancellationRequested)
                {
                    await using var db = await CliHosts.OpenDatabaseAsync(settings, ct);
                    var experiment = await StatusQueries.FindExperimentAsync(db, experimentId.ToString(), ct);
                    var runs = await StatusQueries.RunsAsync(db, experimentId, ct);
                    if (runs.Count > 0 && !preparing.IsFinished) preparing.Increment(1);
                    foreach (var run in runs) Update(progress, bars, run);
                    if (experiment?.Status == ExperimentStatus.Completed) { outcome = true; break; }
                    if (runs.Count > 0 && runs.All(r => r.Status is RunStatus.Completed or RunStatus.Failed or RunStatus.Diverged))
                    {
                        // The experiment's own status can lag its last run's by a message: all runs completed is success.
                        outcome = runs.All(r => r.Status == RunStatus.Completed);
                        break;
                    }
                    await Task.Delay(TimeSpan.FromSeconds(1), ct);
                }
            });
        return outcome;
    }

    static void Update(ProgressContext progress, Dictionary<Guid, ProgressTask> bars, RunStatusLine run)
    {
        if (!bars.TryGetValue(run.Id, out var bar)) bars[run.Id] = bar = progress.AddTask(run.CellKey, maxValue: 100);
        var speed = run.TokensPerSecond is { } t && run.Status == RunStatus.Training ? $" {t:N0} tok/s ETA {StatusView.Eta(run)}" : "";
        bar.Description = $"{Markup.Escape(run.CellKey)} {StatusView.Stage(run)}{speed}";
        // Training fills the first 80%, evaluation and rank analysis of the checkpoints the rest.
        var analysed = 20.0 * run.CheckpointsDone / run.CheckpointCount;
        bar.Value = run.Status == RunStatus.Completed ? 100 : 0.8 * StatusView.Percent(run) + analysed;
        if (run.Status is RunStatus.Completed or RunStatus.Failed or RunStatus.Diverged) bar.StopTask();
    }
}
