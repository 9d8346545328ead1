using Pipeline.Contracts;
using Pipeline.Contracts.Stages;
using Pipeline.Data.Artifacts;
using Pipeline.Data.Tasks;
using Pipeline.Data.Tokenization;
using Pipeline.ML.Adapters;
using Pipeline.ML.Checkpoints;
using Pipeline.ML.Evaluation;
using Pipeline.ML.Modeling;
using static TorchSharp.torch;

namespace Pipeline.Compute.Evaluator;

/// <summary>
/// Learning and forgetting metrics of one checkpoint on the experiment's evaluation tasks: perplexity and bits per
/// byte, multiple-choice acc/acc_norm, exact match of greedy generations, and the diversity of sampled generations.
/// Adapters are merged into the base before scoring (the same function, faster). Diversity is sampled where the
/// report compares it, on the base model and at each run's last checkpoint: elsewhere it would cost a sixth of the
/// evaluation and be read by nothing.
/// </summary>
public sealed class EvaluatorStage(ArtifactStore store, ComputeSettings settings, Device device, ComputeGate gate) : IEvaluatorStage
{
    public Task<EvaluationResult> EvaluateAsync(CheckpointSaved saved, CancellationToken ct) =>
        gate.RunAsync(() => Evaluate(saved, ct), ct);

    private EvaluationResult Evaluate(CheckpointSaved saved, CancellationToken ct)
    {
        var baseDirectory = ArtifactRefs.Resolve(store, saved.Run.BaseModel.Artifact);
        using var model = LoadCheckpoint(baseDirectory, saved.Checkpoint);
        var codec = new TokenizerCodec(TextTokenizer.Load(baseDirectory));
        var metrics = new List<MetricResult>();
        var samples = new List<SampleResult>();
        foreach (var task in saved.Run.EvalTasks)
        {
            ct.ThrowIfCancellationRequested();
            var definition = BuiltInCatalog.Tasks[task.Name];
            var file = Path.Combine(ArtifactRefs.Resolve(store, task.Artifact), definition.File);
            var (values, items) = Score(model, codec, definition, task.Domain, file, SamplesDiversity(saved.Checkpoint.MilestoneIndex, saved.Run));
            metrics.AddRange(values.Select(m => new MetricResult(task.Name, task.Domain, m.Metric, m.Value, m.StdErr)));
            samples.AddRange(items);
        }
        return new EvaluationResult(metrics, samples);
    }

    public static bool SamplesDiversity(int milestoneIndex, RunRequest run) =>
        milestoneIndex == CheckpointArtifact.BaseMilestone || milestoneIndex == run.Milestones.Count - 1;

    private LlamaForCausalLM LoadCheckpoint(string baseDirectory, CheckpointArtifact checkpoint)
    {
        if (checkpoint.Adapter is null) return HfModelDirectory.Load(ArtifactRefs.Resolve(store, checkpoint.Model), device);
        var model = HfModelDirectory.Load(baseDirectory, device);
        PeftAdapter.Load(model, ArtifactRefs.Resolve(store, checkpoint.Adapter));
        LoraModel.MergeAll(model);
        return model;
    }

    /// <summary>
    /// Scores one task the way its definition says: its output type, and for generation its answer filters.
    /// <paramref name="role"/> is what the task measures in this study: "source" (forgetting) or "target" (learning).
    /// </summary>
    private (IEnumerable<MetricValue> Metrics, IEnumerable<SampleResult> Samples) Score(LlamaForCausalLM model, ITextCodec codec,
        TaskDefinition task, string role, string file, bool diversity)
    {
        var scorer = new LogLikelihoodScorer(model, settings.EvalBatchSize);
        switch (task.OutputType)
        {
            case OutputType.LoglikelihoodRolling:
                var documents = TaskFile.ReadPerplexity(file).Take(settings.MaxPerplexityDocuments).Select(d => d.Leading(settings.MaxPerplexityDocumentChars)).ToList();
                var scores = Perplexity.ScoreDocuments(scorer, codec, documents);
                return (Perplexity.Metrics(task.Name, scores), EvaluationSamples.Perplexity(task.Name, role, documents, scores));
            case OutputType.MultipleChoice:
                var questions = TaskFile.ReadMultipleChoice(file).Take(settings.MaxMultipleChoiceItems).ToList();
                var (choiceMetrics, outcomes) = MultipleChoice.Evaluate(task.Name, questions, scorer, codec);
                return (choiceMetrics, EvaluationSamples.MultipleChoice(task.Name, role, questions, outcomes));
            case OutputType.GenerateUntil:
                return Generation(model, codec, task, role, TaskFile.ReadGeneration(file), diversity);
            default:
                throw new ArgumentOutOfRangeException(nameof(task), task.OutputType, $"task {task.Name}: unknown output type");
        }
    }

    /// <summary>Greedy exact match under each of the task's answer filters, then sampled diversity if asked.</summary>
    private (IEnumerable<MetricValue> Metrics, IEnumerable<SampleResult> Samples) Generation(LlamaForCausalLM model, ITextCodec codec,
        TaskDefinition task, string role, IReadOnlyList<GenerationItem> all, bool diversity)
    {
        var generator = new TextGenerator(model, codec);
        var items = all.Take(settings.MaxGenerationItems).ToList();
        var greedy = new GenerationOptions { MaxNewTokens = settings.MaxNewTokens };
        var sampling = greedy with { Temperature = 1.0, TopP = 0.95, Seed = 1234 };
        var prompts = items.Take(settings.DiversityPrompts).Select(i => i.Prompt).ToList();
        var (exactMatch, outcomes) = ExactMatch.Evaluate(task.Name, items, generator, greedy, task.Filters, settings.EvalBatchSize);
        var samples = EvaluationSamples.Generation(task.Name, role, items, outcomes, task.Filters);
        return diversity ? ([.. exactMatch, .. Diversity.Evaluate(task.Name, prompts, generator, sampling, settings.DiversitySamples, settings.EvalBatchSize)], samples)
            : (exactMatch, samples);
    }
}
