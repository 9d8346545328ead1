using Pipeline.Persistence.Queries;
using Pipeline.Persistence.Rows;
using Spectre.Console;

namespace Pipeline.Cli.Views;

/// <summary>Renders `pipeline status`: experiments, or one experiment's runs with progress and failures.</summary>
static class StatusView
{
    public static Table Experiments(IReadOnlyList<ExperimentSummary> experiments)
    {
        var table = new Table().AddColumns("experiment", "status", "runs done", "failed", "submitted (UTC)", "completed (UTC)");
        foreach (var e in experiments)
            table.AddRow(Markup.Escape(e.Name), e.Status.ToString(), $"{e.RunsCompleted}/{e.Runs}", e.RunsFailed.ToString(),
                $"{e.SubmittedAt:yyyy-MM-dd HH:mm:ss}", e.CompletedAt is { } c ? $"{c:yyyy-MM-dd HH:mm:ss}" : "");
        return table;
    }

    public static Table Runs(IReadOnlyList<RunStatusLine> runs)
    {
        var table = new Table().AddColumns("run", "id", "stage", "step", "tokens", "loss", "tokens/s", "ETA", "checkpoints");
        foreach (var r in runs)
            table.AddRow(Markup.Escape(r.CellKey), r.Id.ToString()[..8], Stage(r), $"{r.Step}/{r.TotalSteps}",
                $"{Percent(r):F0}% of {r.TotalTokens:N0}", r.Loss is { } l ? $"{l:F4}" : "", r.TokensPerSecond is { } t ? $"{t:N0}" : "",
                Eta(r), $"{r.CheckpointsDone}/{r.CheckpointCount}");
        return table;
    }

    public static Table Failures(IReadOnlyList<FailureLine> failures)
    {
        var table = new Table().Title("[red]failures[/]").AddColumns("time (UTC)", "run", "stage", "reason");
        foreach (var f in failures)
            table.AddRow($"{f.OccurredAt:HH:mm:ss}", Markup.Escape(f.CellKey ?? "(experiment)"), f.Stage, Markup.Escape(f.Reason));
        return table;
    }

    public static string Stage(RunStatusLine run) => run.Status switch
    {
        RunStatus.Completed => $"[green]{run.Stage}[/]",
        RunStatus.Failed or RunStatus.Diverged => $"[red]{run.Stage}[/]",
        _ => Markup.Escape(run.Stage),
    };

    public static double Percent(RunStatusLine run) => run.TotalTokens > 0 ? 100.0 * run.TokensSeen / run.TotalTokens : 0;

    public static string Eta(RunStatusLine run) =>
        run.Status == RunStatus.Training && run.EtaSeconds is { } s ? TimeSpan.FromSeconds(Math.Round(s)).ToString() : "";
}
