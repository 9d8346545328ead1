using Pipeline.Contracts;
using Pipeline.ML.Training;

namespace Pipeline.Compute.Trainer;

/// <summary>
/// The one mapping from a grid cell (the request's vocabulary) to the trainer's <see cref="RunSpec"/>: the pipeline's
/// trainer and `pipeline train` both go through it, so one command line trains exactly what one grid cell trains.
/// </summary>
public static class RunSpecs
{
    public static RunSpec ForCell(GridCell cell, IReadOnlyList<long> milestones, long totalSteps, int accumulation = 1)
    {
        var method = TrainingVocabulary.Method(cell.Method);
        bool full = method == FinetuneMethod.Full;
        return new RunSpec
        {
            Method = method,
            Rank = cell.Rank ?? 0,
            Alpha = cell.Alpha,
            TargetModules = cell.TargetModules,
            LoraDropout = full ? 0 : cell.Dropout,
            HiddenDropout = full ? cell.Dropout : 0,
            LoraPlusLrRatio = cell.LoraPlusRatio,
            Training = new TrainingOptions
            {
                LearningRate = cell.LearningRate,
                Schedule = TrainingVocabulary.PaperSchedule(TrainingVocabulary.Schedule(cell.Schedule), totalSteps),
                Optimizer = new OptimizerOptions { Kind = TrainingVocabulary.Optimizer(cell.Optimizer), WeightDecay = cell.WeightDecay },
                GradientAccumulation = accumulation,
                Seed = cell.Seed,
                MilestoneTokens = milestones,
            },
        };
    }
}
