using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts.Experiments;
using Pipeline.Persistence.Rows;
using Pipeline.Workflow;
using Pipeline.Workflow.Tests.Fixtures;

namespace Pipeline.Workflow.Tests.Flow;

/// <summary>The quickstart path on a reduced preset: the embedded pipeline over the real Pipeline.ML and Pipeline.Data.</summary>
public sealed class When_a_small_study_runs_embedded_on_the_real_compute
{
    internal static ExperimentRequest SmallStudy(string name) => new()
    {
        Name = name,
        Seeds = [1],
        BaseModel = new BaseModelSpec { Preset = "tiny" },
        Datasets = new DatasetChoice { Source = "prose", Target = "python" },
        Regime = "cpt",
        TokenBudget = 4096,
        Milestones = [2048, 4096],
        Grid =
        [
            new GridEntry { Method = "full", LearningRates = [3e-4], Optimizer = "lionw", Schedule = "cosine" },
            new GridEntry { Method = "lora", Ranks = [2], TargetModules = ["attention"], LearningRates = [3e-3], Optimizer = "lionw", Schedule = "cosine" },
        ],
        EvalTasks = ["prose-perplexity", "python-perplexity", "prose-choice"],
    };

    internal static void ReduceCompute(TestBed bed)
    {
        bed.Configuration["Pipeline:Compute:PretrainTokens"] = "4096";
        bed.Configuration["Pipeline:Compute:BatchSize"] = "8";
        bed.Configuration["Pipeline:Compute:SequenceLength"] = "64";
        bed.Configuration["Pipeline:Compute:MaxPerplexityDocuments"] = "2";
        bed.Configuration["Pipeline:Compute:MaxMultipleChoiceItems"] = "16";
        bed.Configuration["Pipeline:Compute:IntruderDimensions"] = "false";
    }

    [Fact]
    public async Task Should_train_evaluate_and_analyse_every_checkpoint()
    {
        await using var bed = TestBed.Embedded();
        ReduceCompute(bed);
        var host = await bed.StartWithRealComputeAsync(PipelineServices.All);
        await TestBed.SubmitAsync(host, SmallStudy("small"));
        await bed.WaitUntilAsync(db => db.Experiments.AnyAsync(e => e.Status == ExperimentStatus.Completed), "the study completes", seconds: 600);

        await using var db = bed.OpenDb();
        Assert.Empty(await db.Failures.ToListAsync());
        Assert.Equal(6, await db.Checkpoints.CountAsync(c => c.EvaluatedAt != null && c.RankAnalysedAt != null)); // 2 runs × (base + 2)
        var bitsPerByte = await db.Metrics.Where(m => m.Metric == "bits_per_byte").ToListAsync();
        Assert.Equal(12, bitsPerByte.Count); // 6 checkpoints × 2 perplexity tasks
        Assert.All(bitsPerByte, m => Assert.InRange(m.Value, 0.5, 16));
        Assert.All(await db.Metrics.Where(m => m.Metric == "acc").ToListAsync(), m => Assert.InRange(m.Value, 0, 1));

        var lora = await db.Runs.SingleAsync(r => r.Method == "lora");
        var loraRanks = await db.RankAnalyses.Where(a => db.Checkpoints.Any(c => c.Id == a.CheckpointId && c.RunId == lora.Id)).ToListAsync();
        Assert.Equal(2 * 4 * 4, loraRanks.Count);            // 2 checkpoints × 4 layers × q, k, v, o
        Assert.All(loraRanks, a => Assert.InRange(a.Rank90, 1, 2)); // a rank-2 adapter's ΔW has rank ≤ 2
        var full = await db.Runs.SingleAsync(r => r.Method == "full");
        var fullRanks = await db.RankAnalyses.Where(a => db.Checkpoints.Any(c => c.Id == a.CheckpointId && c.RunId == full.Id)).ToListAsync();
        Assert.Equal(2 * 4 * 7, fullRanks.Count);
        Assert.True(fullRanks.Average(a => a.Rank90) > 2, "full finetuning's ΔW should have a higher rank than the adapter's");
    }
}
