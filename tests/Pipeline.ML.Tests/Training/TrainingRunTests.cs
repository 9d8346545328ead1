using Pipeline.ML.Adapters;
using Pipeline.ML.Checkpoints;
using Pipeline.ML.Training;
using static TorchSharp.torch;

namespace Pipeline.ML.Tests.Training;

[Collection(GlobalRng.Collection)]
public class TrainingRunTests
{
    private static TrainingOptions Options(long steps) => new()
    {
        LearningRate = 1e-3,
        Schedule = new LearningRateSchedule { Kind = ScheduleKind.Cosine, TotalSteps = steps, WarmupSteps = 1 },
        MilestoneTokens = [64, 128, 256],
        Seed = 1,
    };

    [Theory]
    [InlineData(FinetuneMethod.Full)]
    [InlineData(FinetuneMethod.Dora)]
    public void Finetuning_saves_a_checkpoint_at_every_milestone_in_its_method_format(FinetuneMethod method)
    {
        var root = TinyModels.TempDirectory();
        var baseDirectory = Path.Combine(root, "base");
        TrainingRun.Pretrain(TinyModels.Config, new SyntheticBatches(2, 16, 64), Options(4), baseDirectory, Path.Combine(root, "base-state"), CPU);

        var spec = new RunSpec { Method = method, Rank = 2, Alpha = 4, LoraPlusLrRatio = 16, Training = Options(8) };
        var checkpoints = new List<SavedCheckpoint>();
        var run = Path.Combine(root, "run");
        TrainingRun.Finetune(baseDirectory, new SyntheticBatches(2, 16, 64), spec, Path.Combine(run, "state"),
            TrainingRun.CheckpointsUnder(run), CPU, checkpointSaved: checkpoints.Add);

        Assert.Equal([64L, 128, 256], checkpoints.Select(c => c.Tokens));
        Assert.Equal([2L, 4, 8], checkpoints.Select(c => c.Step));
        Assert.All(checkpoints, c => Assert.True(Directory.Exists(c.Directory)));
        using var reloaded = HfModelDirectory.Load(baseDirectory);
        if (method == FinetuneMethod.Full)
        {
            using var finetuned = HfModelDirectory.Load(checkpoints[^1].Directory);
            Assert.False(finetuned.parameters().First().BitEqual(reloaded.parameters().First()));
        }
        else
        {
            var config = PeftAdapter.Load(reloaded, checkpoints[^1].Directory);
            Assert.True(config.UseDora);
        }
    }
}
