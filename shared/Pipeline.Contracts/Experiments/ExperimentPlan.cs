namespace Pipeline.Contracts.Experiments;

/// <summary>Expands a validated request into its grid cells: entries × ranks × learning rates × seeds.</summary>
public static class ExperimentPlan
{
    public static IReadOnlyList<GridCell> Expand(ExperimentRequest request)
    {
        var defaultSchedule = Vocabulary.DefaultSchedule(request.Regime!);
        var cells = from entry in request.Grid!
                    from rank in entry.Method == "full" ? [null] : entry.Ranks!.Select(r => (int?)r)
                    from lr in entry.LearningRates!
                    from seed in entry.Seeds ?? request.Seeds!
                    select new GridCell(
                        entry.Method!,
                        rank,
                        rank is { } r ? entry.Alpha ?? 2.0 * r : null,
                        entry.Method == "full" ? Vocabulary.AllModules : Vocabulary.ExpandModules(entry.TargetModules ?? ["all"]),
                        lr,
                        entry.WeightDecay ?? 0,
                        entry.Dropout ?? 0,
                        entry.Optimizer ?? "lionw",
                        entry.Schedule ?? defaultSchedule,
                        entry.Method == "loraplus" ? entry.LoraPlusRatio ?? Vocabulary.DefaultLoraPlusRatio : null,
                        seed);
        return cells.DistinctBy(c => c.Key).ToList();
    }
}
