using Contract = Pipeline.Contracts.Stages.TrainingProgress;
using Measured = Pipeline.ML.Training.TrainingProgress;

namespace Pipeline.Compute;

internal static class TrainingProgressReport
{
    public static Action<Measured> To(IProgress<Contract> progress, long totalTokens) => p =>
        progress.Report(new Contract(p.Step, p.TotalSteps, p.Tokens, totalTokens, p.Loss, p.LearningRate, p.TokensPerSecond));
}
