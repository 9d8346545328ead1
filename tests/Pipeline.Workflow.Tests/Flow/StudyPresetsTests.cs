using Pipeline.Compute;
using Pipeline.Contracts.Experiments;
using Pipeline.Data.Corpora;
using Pipeline.ML.Evaluation;

namespace Pipeline.Workflow.Tests.Flow;

/// <summary>
/// The committed study presets (experiments/*.json): each must pass the validation `pipeline submit` runs, against
/// the real built-in catalog, and keep the paper's design scaled to the `tiny` preset (see experiments/README.md).
/// Pure file checks: no broker, database or compute.
/// </summary>
public static class StudyPresets
{
    public static TheoryData<string, string, string> Presets() => new()
    {
        { "code-cpt", "python", "cpt" },
        { "code-ift", "python", "ift" },
        { "math-ift", "math", "ift" },
    };

    public static TheoryData<string> Names() => ["code-cpt", "code-ift", "math-ift"];

    /// <summary>The file copied beside the test binaries if a build copies it there, else the repository's own.</summary>
    public static string PathOf(string name)
    {
        var file = Path.Combine("experiments", name + ".json");
        var beside = Path.Combine(AppContext.BaseDirectory, file);
        if (File.Exists(beside)) return beside;
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Pipeline.sln")))
                return Path.Combine(directory.FullName, file);
        throw new DirectoryNotFoundException($"neither {beside} nor a Pipeline.sln above the test binaries was found");
    }

    public static ExperimentRequest Load(string name) => ExperimentRequestFile.Load(PathOf(name));

    static IEnumerable<GridEntry> Lora(ExperimentRequest r) => r.Grid!.Where(e => e.Method != "full");
    static IEnumerable<GridEntry> Full(ExperimentRequest r) => r.Grid!.Where(e => e.Method == "full");

    public sealed class When_a_preset_is_submitted
    {
        [Theory]
        [MemberData(nameof(Presets), MemberType = typeof(StudyPresets))]
        public void Should_pass_the_validation_that_pipeline_submit_runs(string name, string target, string regime)
        {
            var request = Load(name);

            // ExperimentSubmitter validates against the catalog ComputeStages registers: BuiltInCatalog.Create().
            var errors = new ExperimentValidator(BuiltInCatalog.Create()).Validate(request);

            Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => $"{name}: {e.Path}: {e.Message}")));
            Assert.Equal(name, request.Name);
            Assert.Equal("tiny", request.BaseModel!.Preset);
            Assert.Null(request.BaseModel.Path);
            Assert.Equal(("prose", target, regime), (request.Datasets!.Source, request.Datasets.Target, request.Regime));
        }

        [Theory]
        [MemberData(nameof(Presets), MemberType = typeof(StudyPresets))]
        public void Should_evaluate_forgetting_on_the_source_and_learning_on_the_target(string name, string target, string regime)
        {
            Assert.Equal(regime, Load(name).Regime);
            var tasks = Load(name).EvalTasks!;
            var domain = BuiltInCatalog.DatasetDomains[target];

            Assert.Contains("prose-perplexity", tasks);
            Assert.DoesNotContain("prose-choice", tasks); // at chance for a 4-layer model: an hour's budget spent on noise
            Assert.All(tasks, t => Assert.Contains(BuiltInCatalog.Tasks[t].Domain, new[] { Domains.Source, domain }));
            var targetKinds = tasks.Select(t => BuiltInCatalog.Tasks[t]).Where(t => t.Domain == domain).Select(t => t.OutputType).ToList();
            Assert.Contains(OutputType.LoglikelihoodRolling, targetKinds);
            Assert.Contains(OutputType.GenerateUntil, targetKinds); // python-functions or math-gsm: the paper's HumanEval and GSM8K
        }
    }

    public sealed class When_a_preset_is_planned
    {
        [Theory]
        [MemberData(nameof(Names), MemberType = typeof(StudyPresets))]
        public void Should_scale_the_papers_ranks_and_cover_every_module_preset_with_alpha_2r(string name)
        {
            var request = Load(name);
            var lora = Experiment.Resolve(request).Cells.Where(r => r.Rank is not null).ToList();
            var ranks = lora.Select(r => r.Rank!.Value).ToHashSet();

            // r/d of 16, 64, 256 over 4096 at d = 256, and one rank near d/4 to approach full finetuning.
            Assert.Superset(new HashSet<int> { 1, 4, 16 }, ranks);
            Assert.Contains(ranks, r => r >= 64);
            Assert.Equal(["all", "attention", "mlp"], Lora(request).SelectMany(e => e.TargetModules ?? ["all"]).Distinct().Order());
            Assert.Contains(lora, r => r.TargetModules.SequenceEqual(Vocabulary.AllModules));
            Assert.Contains(lora, r => r.TargetModules.SequenceEqual(Vocabulary.MlpModules));
            Assert.Contains(lora, r => r.TargetModules.SequenceEqual(Vocabulary.AttentionModules));
            Assert.All(lora, r => Assert.Equal(2.0 * r.Rank!.Value, r.Alpha)); // α omitted: the default 2r
        }

        [Theory]
        [MemberData(nameof(Names), MemberType = typeof(StudyPresets))]
        public void Should_sweep_learning_rates_with_LoRA_about_ten_times_full_finetuning(string name)
        {
            var runs = Experiment.Resolve(Load(name)).Cells;
            var full = runs.Where(r => r.Method == "full").Select(r => r.LearningRate).Distinct().ToList();
            var lora = runs.Where(r => r.Rank is not null).Select(r => r.LearningRate).Distinct().ToList();

            var ratio = lora.Max() / full.Max();
            Assert.InRange(ratio, 3, 30);
            Assert.True(full.Count >= 2, $"{name}: full finetuning sweeps only {full.Count} learning rate");
            // The LoRA sweep: one configuration (method, rank, modules) trained at two or more rates.
            Assert.Contains(runs.Where(r => r.Rank is not null && r.WeightDecay == 0 && r.Dropout == 0)
                .GroupBy(r => (r.Method, r.Rank, string.Join('.', r.TargetModules))), g => g.Select(r => r.LearningRate).Distinct().Count() >= 2);
        }

        [Theory]
        [MemberData(nameof(Names), MemberType = typeof(StudyPresets))]
        public void Should_include_full_finetuning_with_weight_decay_and_with_dropout(string name)
        {
            var request = Load(name);

            Assert.Contains(Full(request), e => e.WeightDecay > 0);
            Assert.Contains(Full(request), e => e.Dropout > 0);
            Assert.Contains(Full(request), e => (e.WeightDecay ?? 0) == 0 && (e.Dropout ?? 0) == 0); // the unregularized reference
        }

        [Theory]
        [MemberData(nameof(Names), MemberType = typeof(StudyPresets))]
        public void Should_checkpoint_at_doubling_token_counts_up_to_the_budget(string name)
        {
            var request = Load(name);
            var milestones = request.Milestones!;

            Assert.True(milestones.Count >= 3, $"{name}: {milestones.Count} milestones");
            for (var i = 1; i < milestones.Count; i++) Assert.Equal(2 * milestones[i - 1], milestones[i]);
            Assert.Equal(request.TokenBudget, milestones[^1]);
        }
    }
}
