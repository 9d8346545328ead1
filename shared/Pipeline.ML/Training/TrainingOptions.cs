namespace Pipeline.ML.Training;

public sealed record TrainingOptions
{
    /// <summary>Peak learning rate; the schedule scales it per step.</summary>
    public required double LearningRate { get; init; }

    public required LearningRateSchedule Schedule { get; init; }
    public OptimizerOptions Optimizer { get; init; } = new();
    public int GradientAccumulation { get; init; } = 1;

    /// <summary>Clip the global gradient norm to this value (the paper uses 1.0); 0 disables clipping.</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    public long Seed { get; init; }

    /// <summary>Training-token counts at which the milestone callback fires (a checkpoint is saved).</summary>
    public IReadOnlyList<long> MilestoneTokens { get; init; } = [];

    /// <summary>A resumable state is written this often (and at every milestone).</summary>
    public int StateEverySteps { get; init; } = 50;

    /// <summary>LoRA+: B matrices train at this multiple of the learning rate.</summary>
    public double? LoraPlusLrRatio { get; init; }

    public long TotalSteps => Schedule.TotalSteps;

    public void Validate()
    {
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new ArgumentException($"learning_rate must be positive and finite (got {LearningRate})");
        if (Schedule.TotalSteps <= 0) throw new ArgumentException($"total steps must be positive (got {Schedule.TotalSteps})");
        if (GradientAccumulation <= 0) throw new ArgumentException($"gradient_accumulation must be positive (got {GradientAccumulation})");
        if (Optimizer.WeightDecay < 0) throw new ArgumentException($"weight_decay must not be negative (got {Optimizer.WeightDecay})");
        if (MilestoneTokens.Zip(MilestoneTokens.Skip(1)).Any(pair => pair.Second <= pair.First))
            throw new ArgumentException("milestones must be strictly increasing");
    }
}
