using Pipeline.Contracts.Experiments;

namespace Pipeline.Workflow.Tests.Fixtures;

/// <summary>Small valid requests against the test catalog ("ci" preset: d=32, 2 layers).</summary>
public static class TestRequests
{
    /// <summary>Full finetuning plus LoRA at each given rank: 1 + ranks.Length runs, three milestones each.</summary>
    public static ExperimentRequest Valid(string name = "tiny-study", params int[] ranks) => new()
    {
        Name = name,
        Seeds = [1],
        BaseModel = new BaseModelSpec { Preset = "ci" },
        Datasets = new DatasetChoice { Source = "prose", Target = "python" },
        Regime = "cpt",
        TokenBudget = 3000,
        Milestones = [1000, 2000, 3000],
        Grid =
        [
            new GridEntry { Method = "full", LearningRates = [1e-3] },
            new GridEntry { Method = "lora", Ranks = ranks.Length == 0 ? [4] : ranks, TargetModules = ["attention"], LearningRates = [1e-2] },
        ],
        EvalTasks = ["prose-choice", "python-perplexity"],
    };
}
