namespace Pipeline.ML.Training;

/// <summary>What the training loop reports after each optimizer step.</summary>
public sealed record TrainingProgress(
    long Step, long TotalSteps, long Tokens, double Loss, double LearningRate, double GradNorm,
    double TokensPerSecond, TimeSpan Eta);

/// <summary>Fired when training has consumed at least <see cref="Tokens"/> tokens for the first time.</summary>
public sealed record Milestone(int Index, long Step, long Tokens, double Loss);

/// <summary>Thrown on a NaN/inf loss or exploding gradients: training cannot go on from here.</summary>
public sealed class TrainingDivergedException(long step, string reason)
    : Exception($"training diverged at step {step}: {reason}")
{
    public long Step { get; } = step;
}
