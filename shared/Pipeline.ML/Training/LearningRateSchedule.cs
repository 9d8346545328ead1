namespace Pipeline.ML.Training;

public enum ScheduleKind { Constant, Cosine, InverseSqrt }

/// <summary>
/// Learning-rate multipliers by optimizer step, with Hugging Face's conventions: linear warmup from 0 over
/// <see cref="WarmupSteps"/>; cosine decays to <see cref="MinLrRatio"/> of the peak (the paper's IFT schedule:
/// 10% warmup, floor 0.01); inverse-sqrt decays as √(warmup/step) and, the paper's CPT schedule, cools down
/// linearly to zero over the last <see cref="CooldownSteps"/>.
/// </summary>
public sealed record LearningRateSchedule
{
    public ScheduleKind Kind { get; init; } = ScheduleKind.Cosine;
    public required long TotalSteps { get; init; }
    public long WarmupSteps { get; init; }
    public double MinLrRatio { get; init; } = 0.01;
    public long CooldownSteps { get; init; }

    public double Multiplier(long step)
    {
        if (step < WarmupSteps) return (double)step / WarmupSteps;
        return Kind switch
        {
            ScheduleKind.Constant => 1.0,
            ScheduleKind.Cosine => Cosine(step),
            _ => InverseSqrt(step) * Cooldown(step),
        };
    }

    private double Cosine(long step)
    {
        double progress = Math.Min(1.0, (double)(step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps));
        return MinLrRatio + (1 - MinLrRatio) * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }

    private double InverseSqrt(long step)
    {
        long timescale = Math.Max(1, WarmupSteps);
        return 1 / Math.Sqrt((double)Math.Max(step, timescale) / timescale);
    }

    private double Cooldown(long step)
    {
        long start = TotalSteps - CooldownSteps;
        return CooldownSteps <= 0 || step < start ? 1.0 : Math.Max(0, (double)(TotalSteps - step) / CooldownSteps);
    }
}
