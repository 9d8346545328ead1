namespace Pipeline.ML.Training;

/// <summary>The names users write in requests and on the command line, mapped to the training enums.</summary>
public static class TrainingVocabulary
{
    public static FinetuneMethod Method(string name) => name.ToLowerInvariant() switch
    {
        "full" => FinetuneMethod.Full,
        "lora" => FinetuneMethod.Lora,
        "rslora" => FinetuneMethod.RsLora,
        "dora" => FinetuneMethod.Dora,
        "loraplus" => FinetuneMethod.LoraPlus,
        _ => throw new ArgumentException($"method '{name}' is not one of full, lora, rslora, dora, loraplus"),
    };

    public static OptimizerKind Optimizer(string name) => name.ToLowerInvariant() switch
    {
        "adamw" => OptimizerKind.AdamW,
        "lionw" or "lion" => OptimizerKind.LionW,
        _ => throw new ArgumentException($"optimizer '{name}' is not one of adamw, lionw"),
    };

    public static ScheduleKind Schedule(string name) => name.ToLowerInvariant() switch
    {
        "constant" => ScheduleKind.Constant,
        "cosine" => ScheduleKind.Cosine,
        "inverse_sqrt" or "inverse-sqrt" => ScheduleKind.InverseSqrt,
        _ => throw new ArgumentException($"schedule '{name}' is not one of cosine, inverse_sqrt, constant"),
    };

    /// <summary>
    /// The paper's schedules by name over <paramref name="totalSteps"/>: 10% warmup; cosine to 1% of the peak (IFT);
    /// inverse-sqrt with a cooldown over the last 10% (CPT); constant after warmup.
    /// </summary>
    public static LearningRateSchedule PaperSchedule(ScheduleKind kind, long totalSteps) => new()
    {
        Kind = kind,
        TotalSteps = totalSteps,
        WarmupSteps = Math.Max(1, totalSteps / 10),
        MinLrRatio = 0.01,
        CooldownSteps = kind == ScheduleKind.InverseSqrt ? Math.Max(1, totalSteps / 10) : 0,
    };

    /// <summary>Optimizer steps needed to consume <paramref name="tokens"/> training tokens.</summary>
    public static long StepsFor(long tokens, int batchSize, int sequenceLength, int accumulation) =>
        Math.Max(1, (tokens + (long)batchSize * sequenceLength * accumulation - 1) / ((long)batchSize * sequenceLength * accumulation));
}
