using System.Text.RegularExpressions;

namespace Pipeline.Contracts.Experiments;

/// <summary>Checks a request against the rules of issue 7 and the catalog, collecting every error with its JSON path.</summary>
public sealed class ExperimentValidator(ExperimentCatalog catalog)
{
    public IReadOnlyList<ValidationError> Validate(ExperimentRequest request)
    {
        var errors = new List<ValidationError>();
        void Fail(string path, string message) => errors.Add(new ValidationError(path, message));

        if (string.IsNullOrWhiteSpace(request.Name)) Fail("$.name", "is required");
        else if (!Regex.IsMatch(request.Name, "^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"))
            Fail("$.name", $"'{request.Name}' must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit");
        ValidateSeeds(request.Seeds, "$.seeds", Fail, required: true);
        var dims = ValidateBaseModel(request.BaseModel, Fail);
        ValidateDatasets(request.Datasets, Fail);
        if (request.Regime is null) Fail("$.regime", "is required");
        else if (!Vocabulary.Regimes.Contains(request.Regime)) Fail("$.regime", $"unknown regime '{request.Regime}'; expected one of {Join(Vocabulary.Regimes)}");
        ValidateBudget(request.TokenBudget, request.Milestones, Fail);
        ValidateGrid(request.Grid, dims, Fail);
        ValidateEvalTasks(request.EvalTasks, Fail);
        return errors;
    }

    /// <summary>The request as an <see cref="Experiment"/>, or every error it has, with its JSON path.</summary>
    public Experiment Parse(ExperimentRequest request, string source)
    {
        var errors = Validate(request);
        return errors.Count == 0 ? Experiment.Resolve(request) : throw new ExperimentRequestException(source, errors);
    }

    internal static void ValidateSeeds(IReadOnlyList<int>? seeds, string at, Action<string, string> fail, bool required)
    {
        if (seeds is null && !required) return;
        if (seeds is null || seeds.Count == 0) { fail(at, "is required: at least one seed"); return; }
        for (var i = 0; i < seeds.Count; i++)
            if (seeds[i] < 0) fail($"{at}[{i}]", $"seed {seeds[i]} must be ≥ 0");
        if (seeds.Distinct().Count() != seeds.Count) fail(at, "seeds must be distinct");
    }

    ModelDimensions? ValidateBaseModel(BaseModelSpec? model, Action<string, string> fail)
    {
        if (model is null) { fail("$.baseModel", "is required: give either 'preset' or 'path'"); return null; }
        if ((model.Preset is null) == (model.Path is null)) { fail("$.baseModel", "give exactly one of 'preset' or 'path'"); return null; }
        if (model.Preset is { } preset)
        {
            if (catalog.ModelPresets.TryGetValue(preset, out var dims)) return dims;
            fail("$.baseModel.preset", $"unknown preset '{preset}'; expected one of {Join(catalog.ModelPresets.Keys)}");
            return null;
        }
        try { return ModelDimensions.FromHuggingFaceDirectory(model.Path!); }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            fail("$.baseModel.path", e.Message);
            return null;
        }
    }

    void ValidateDatasets(DatasetChoice? datasets, Action<string, string> fail)
    {
        if (datasets is null) { fail("$.datasets", "is required: give 'source' and 'target'"); return; }
        void Check(string? name, string field)
        {
            if (name is null) fail($"$.datasets.{field}", "is required");
            else if (!catalog.Datasets.Contains(name)) fail($"$.datasets.{field}", $"unknown dataset '{name}'; expected one of {Join(catalog.Datasets)}");
        }
        Check(datasets.Source, "source");
        Check(datasets.Target, "target");
        if (datasets.Source is not null && datasets.Source == datasets.Target) fail("$.datasets", "source and target must differ, or forgetting cannot be measured");
    }

    static void ValidateBudget(long? budget, IReadOnlyList<long>? milestones, Action<string, string> fail)
    {
        if (budget is null) fail("$.tokenBudget", "is required");
        else if (budget <= 0) fail("$.tokenBudget", $"must be > 0, got {budget}");
        if (milestones is null || milestones.Count == 0) { fail("$.milestones", "is required: at least one checkpoint milestone (tokens)"); return; }
        for (var i = 0; i < milestones.Count; i++)
        {
            if (milestones[i] <= 0) fail($"$.milestones[{i}]", $"must be > 0, got {milestones[i]}");
            else if (i > 0 && milestones[i] <= milestones[i - 1]) fail($"$.milestones[{i}]", $"{milestones[i]} is not greater than the previous milestone {milestones[i - 1]}");
            if (budget > 0 && milestones[i] > budget) fail($"$.milestones[{i}]", $"{milestones[i]} is beyond the token budget {budget}");
        }
    }

    static void ValidateGrid(IReadOnlyList<GridEntry>? grid, ModelDimensions? dims, Action<string, string> fail)
    {
        if (grid is null || grid.Count == 0) { fail("$.grid", "is required: at least one finetuning configuration"); return; }
        for (var i = 0; i < grid.Count; i++) GridEntryRules.Validate(grid[i], $"$.grid[{i}]", dims, fail);
    }

    void ValidateEvalTasks(IReadOnlyList<string>? tasks, Action<string, string> fail)
    {
        if (tasks is null || tasks.Count == 0) { fail("$.evalTasks", "is required: at least one evaluation task"); return; }
        for (var i = 0; i < tasks.Count; i++)
            if (!catalog.EvalTasks.Contains(tasks[i])) fail($"$.evalTasks[{i}]", $"unknown evaluation task '{tasks[i]}'; expected one of {Join(catalog.EvalTasks)}");
    }

    internal static string Join(IEnumerable<string> names) => string.Join(", ", names.Order());
}
