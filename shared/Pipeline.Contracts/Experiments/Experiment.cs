namespace Pipeline.Contracts.Experiments;

/// <summary>
/// A validated experiment: every field present, every default resolved once (α = 2r, the LoRA+ ratio, the regime's
/// schedule, the modules of a preset, each entry's seeds) and the grid expanded into its cells: entries × ranks ×
/// learning rates × seeds. <see cref="ExperimentValidator.Parse"/> makes one from a user's request; a request stored
/// after that validation is read back with <see cref="Resolve"/>. Nothing downstream reads a raw request.
/// </summary>
public sealed record Experiment(
    string Name,
    BaseModelSpec BaseModel,
    string SourceDataset,
    string TargetDataset,
    string Regime,
    long TokenBudget,
    IReadOnlyList<long> Milestones,
    IReadOnlyList<GridCell> Cells,
    IReadOnlyList<string> EvalTasks)
{
    /// <summary>The experiment of a request that has passed validation; a gap means stored data went wrong.</summary>
    public static Experiment Resolve(ExperimentRequest request)
    {
        var regime = Required(request.Regime, "regime");
        var seeds = Required(request.Seeds, "seeds");
        var cells = from entry in Required(request.Grid, "grid")
                    from rank in entry.Method == "full" ? [null] : Required(entry.Ranks, "grid[].ranks").Select(r => (int?)r)
                    from lr in Required(entry.LearningRates, "grid[].learningRates")
                    from seed in entry.Seeds ?? seeds
                    select Cell(entry, rank, lr, seed, regime);
        return new Experiment(
            Required(request.Name, "name"),
            Required(request.BaseModel, "baseModel"),
            Required(request.Datasets?.Source, "datasets.source"),
            Required(request.Datasets?.Target, "datasets.target"),
            regime,
            Required(request.TokenBudget, "tokenBudget"),
            Required(request.Milestones, "milestones"),
            [.. cells.DistinctBy(c => c.Key)],
            Required(request.EvalTasks, "evalTasks"));
    }

    /// <summary>One grid cell of an entry, its defaults applied: the only place they are (`pipeline train` uses it too).</summary>
    public static GridCell Cell(GridEntry entry, int? rank, double learningRate, int seed, string regime)
    {
        var method = Required(entry.Method, "grid[].method");
        return new GridCell(
            method,
            rank,
            rank is { } r ? entry.Alpha ?? 2.0 * r : null,
            method == "full" ? Vocabulary.AllModules : Vocabulary.ExpandModules(entry.TargetModules ?? ["all"]),
            learningRate,
            entry.WeightDecay ?? 0,
            entry.Dropout ?? 0,
            entry.Optimizer ?? "lionw",
            entry.Schedule ?? Vocabulary.DefaultSchedule(regime),
            method == "loraplus" ? entry.LoraPlusRatio ?? Vocabulary.DefaultLoraPlusRatio : null,
            seed);
    }

    private static T Required<T>(T? value, string field) where T : class =>
        value ?? throw new InvalidDataException($"experiment request: '{field}' is missing; it was not validated");

    private static T Required<T>(T? value, string field) where T : struct =>
        value ?? throw new InvalidDataException($"experiment request: '{field}' is missing; it was not validated");
}
