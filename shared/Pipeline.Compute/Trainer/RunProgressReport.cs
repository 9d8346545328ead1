using Pipeline.Contracts.Stages;
using Pipeline.ML.Training;

namespace Pipeline.Compute.Trainer;

/// <summary>The trainer's measured progress, as the pipeline reports it: with the run's token budget for its ETA.</summary>
internal static class RunProgressReport
{
    public static Action<TrainingProgress> To(IProgress<RunProgress> progress, long totalTokens) => p =>
        progress.Report(new RunProgress(p.Step, p.TotalSteps, p.Tokens, totalTokens, p.Loss, p.LearningRate, p.TokensPerSecond));
}
