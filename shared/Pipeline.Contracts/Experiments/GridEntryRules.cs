namespace Pipeline.Contracts.Experiments;

/// <summary>The rules for one grid entry: method, ranks within the targeted shapes, positive α and learning rates.</summary>
static class GridEntryRules
{
    public static void Validate(GridEntry entry, string at, ModelDimensions? dims, Action<string, string> fail)
    {
        var join = ExperimentValidator.Join;
        var isLora = entry.Method is not null && entry.Method != "full" && Vocabulary.Methods.Contains(entry.Method);
        if (entry.Method is null) fail($"{at}.method", "is required");
        else if (!Vocabulary.Methods.Contains(entry.Method)) fail($"{at}.method", $"unknown method '{entry.Method}'; expected one of {join(Vocabulary.Methods)}");

        var modules = ValidateModules(entry, at, fail);
        if (isLora) ValidateRanks(entry.Ranks, at, dims, modules, fail);
        else if (entry.Method == "full" && entry.Ranks is not null) fail($"{at}.ranks", "full finetuning has no rank; remove 'ranks'");
        if (entry.Alpha is { } alpha && !(alpha > 0)) fail($"{at}.alpha", $"must be > 0, got {alpha}");
        if (entry.LoraPlusRatio is { } ratio && !(ratio > 0)) fail($"{at}.loraPlusRatio", $"must be > 0, got {ratio}");
        if (entry.LoraPlusRatio is not null && entry.Method != "loraplus") fail($"{at}.loraPlusRatio", "only applies to method 'loraplus'");

        if (entry.LearningRates is null || entry.LearningRates.Count == 0) fail($"{at}.learningRates", "is required: at least one learning rate");
        else for (var j = 0; j < entry.LearningRates.Count; j++)
            if (!(entry.LearningRates[j] > 0) || double.IsInfinity(entry.LearningRates[j]))
                fail($"{at}.learningRates[{j}]", $"must be a finite number > 0, got {entry.LearningRates[j]}");
        if (entry.WeightDecay is { } wd && !(wd >= 0 && double.IsFinite(wd))) fail($"{at}.weightDecay", $"must be ≥ 0, got {wd}");
        if (entry.Dropout is { } p && !(p >= 0 && p < 1)) fail($"{at}.dropout", $"must be in [0, 1), got {p}");
        if (entry.Optimizer is { } opt && !Vocabulary.Optimizers.Contains(opt)) fail($"{at}.optimizer", $"unknown optimizer '{opt}'; expected one of {join(Vocabulary.Optimizers)}");
        ExperimentValidator.ValidateSeeds(entry.Seeds, $"{at}.seeds", fail, required: false);
        if (entry.Schedule is { } s && !Vocabulary.Schedules.Contains(s)) fail($"{at}.schedule", $"unknown schedule '{s}'; expected one of {join(Vocabulary.Schedules)}");
    }

    static IReadOnlyList<string> ValidateModules(GridEntry entry, string at, Action<string, string> fail)
    {
        if (entry.TargetModules is null) return Vocabulary.AllModules; // the paper's advice: target all modules
        var known = true;
        for (var j = 0; j < entry.TargetModules.Count; j++)
        {
            var name = entry.TargetModules[j];
            if (Vocabulary.ModulePresets.Contains(name) || Vocabulary.AllModules.Contains(name)) continue;
            fail($"{at}.targetModules[{j}]", $"unknown module '{name}'; expected a preset ({ExperimentValidator.Join(Vocabulary.ModulePresets)}) or one of {ExperimentValidator.Join(Vocabulary.AllModules)}");
            known = false;
        }
        if (entry.TargetModules.Count == 0) fail($"{at}.targetModules", "must name at least one module");
        return known ? Vocabulary.ExpandModules(entry.TargetModules) : [];
    }

    static void ValidateRanks(IReadOnlyList<int>? ranks, string at, ModelDimensions? dims, IReadOnlyList<string> modules, Action<string, string> fail)
    {
        if (ranks is null || ranks.Count == 0) { fail($"{at}.ranks", "is required for LoRA methods: at least one rank"); return; }
        var maxRank = dims is not null && modules.Count > 0 ? dims.MaxRank(modules) : int.MaxValue;
        for (var j = 0; j < ranks.Count; j++)
        {
            if (ranks[j] <= 0) fail($"{at}.ranks[{j}]", $"must be > 0, got {ranks[j]}");
            else if (ranks[j] > maxRank) fail($"{at}.ranks[{j}]", $"rank {ranks[j]} exceeds min(d_in, d_out) = {maxRank} of the targeted modules");
        }
    }
}
