using Pipeline.ML.Adapters;
using Pipeline.ML.Checkpoints;
using Pipeline.ML.Training;

namespace Pipeline.ML.Tests.Training;

[Collection(GlobalRng.Collection)]
public class TrainingLoopTests
{
    private static TrainingOptions Options(long steps, double lr = 3e-3, OptimizerKind optimizer = OptimizerKind.AdamW) => new()
    {
        LearningRate = lr,
        Schedule = new LearningRateSchedule { Kind = ScheduleKind.Constant, TotalSteps = steps },
        Optimizer = new OptimizerOptions { Kind = optimizer },
        Seed = 5,
        StateEverySteps = 2,
    };

    [Theory]
    [InlineData(OptimizerKind.AdamW, 1e-2)]
    [InlineData(OptimizerKind.LionW, 2e-3)]
    public void A_tiny_model_overfits_one_batch(OptimizerKind optimizer, double lr)
    {
        using var model = TinyModels.Create();
        var state = new TrainingLoop(model, new SyntheticBatches(4, 16, 64, repeatFirstBatch: true), Options(120, lr, optimizer), TinyModels.TempDirectory()).Run();
        Assert.True(state.Losses[^1] < 0.1 * state.Losses[0], $"loss {state.Losses[0]:F3} → {state.Losses[^1]:F3}");
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Lora_training_leaves_the_base_weights_bitwise_unchanged(bool dora, bool loraPlus)
    {
        using var model = TinyModels.Create();
        var before = HfModelDirectory.BaseParameters(model).ToDictionary(p => p.Key, p => p.Value.detach().clone());
        var adapters = LoraModel.Inject(model, new LoraConfig { Rank = 4, Alpha = 8, UseDora = dora, Dropout = 0.1 });
        var options = Options(6) with { LoraPlusLrRatio = loraPlus ? 16 : null };
        new TrainingLoop(model, new SyntheticBatches(2, 16, 64), options, TinyModels.TempDirectory()).Run();
        foreach (var (name, weight) in HfModelDirectory.BaseParameters(model)) Assert.True(before[name].BitEqual(weight), name);
        Assert.All(adapters.Values, a => Assert.True(a.B.abs().sum().item<float>() > 0));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_killed_run_resumes_with_the_uninterrupted_loss_sequence(bool lora)
    {
        const int steps = 9;
        var uninterrupted = Train(lora, steps, TinyModels.TempDirectory(), killAfter: null);

        var stateDirectory = TinyModels.TempDirectory();
        Assert.Throws<OperationCanceledException>(() => Train(lora, steps, stateDirectory, killAfter: 5));
        var resumed = Train(lora, steps, stateDirectory, killAfter: null);

        Assert.Equal(uninterrupted.Losses, resumed.Losses);
        Assert.Equal(uninterrupted.Tokens, resumed.Tokens);
    }

    private static TrainingState Train(bool lora, int steps, string stateDirectory, int? killAfter)
    {
        using var model = TinyModels.Create(config: TinyModels.Config with { HiddenDropout = 0.1 });
        if (lora) LoraModel.Inject(model, new LoraConfig { Rank = 4, Alpha = 8, Dropout = 0.1 }, seed: 3);
        var options = Options(steps) with { GradientAccumulation = 2, Optimizer = OptimizerOptions.Lion(weightDecay: 0.1), LearningRate = 1e-3 };
        var trainer = new TrainingLoop(model, new SyntheticBatches(2, 8, 64), options, stateDirectory);
        using var kill = new CancellationTokenSource();
        trainer.Progress += p => { if (p.Step == killAfter) kill.Cancel(); };
        return trainer.Run(kill.Token);
    }

    [Fact]
    public void Milestones_fire_once_each_at_their_token_counts()
    {
        using var model = TinyModels.Create();
        var options = Options(8) with { MilestoneTokens = [32, 64, 128, 256] }; // 2×16 = 32 tokens per step
        var trainer = new TrainingLoop(model, new SyntheticBatches(2, 16, 64), options, TinyModels.TempDirectory());
        var fired = new List<Milestone>();
        trainer.MilestoneReached += fired.Add;
        trainer.Run();
        Assert.Equal([1L, 2, 4, 8], fired.Select(m => m.Step));
        Assert.Equal([32L, 64, 128, 256], fired.Select(m => m.Tokens));
    }

    [Fact]
    public void Schedules_follow_the_hugging_face_formulas()
    {
        var cosine = new LearningRateSchedule { Kind = ScheduleKind.Cosine, TotalSteps = 110, WarmupSteps = 10, MinLrRatio = 0.01 };
        Assert.Equal(0.0, cosine.Multiplier(0));
        Assert.Equal(0.5, cosine.Multiplier(5), 12);
        Assert.Equal(1.0, cosine.Multiplier(10), 12);
        Assert.Equal(0.01 + 0.99 * 0.5, cosine.Multiplier(60), 12);
        Assert.Equal(0.01, cosine.Multiplier(110), 12);

        var inverseSqrt = new LearningRateSchedule { Kind = ScheduleKind.InverseSqrt, TotalSteps = 100, WarmupSteps = 4, CooldownSteps = 20 };
        Assert.Equal(1.0, inverseSqrt.Multiplier(4), 12);
        Assert.Equal(0.5, inverseSqrt.Multiplier(16), 12);
        Assert.Equal(Math.Sqrt(4.0 / 90) * 0.5, inverseSqrt.Multiplier(90), 12);
    }
}
