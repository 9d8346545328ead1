using Pipeline.Reporting.Scoring;

namespace Pipeline.Reporting.Findings;

public enum Verdict { Holds, DoesNotHold, NotSupported }

/// <param name="Effect">What <paramref name="Size"/> measures, e.g. "full FT − LoRA, target score at the last checkpoint".</param>
/// <param name="Diagnosis">Set when the verdict is <see cref="Verdict.NotSupported"/>: what to change so the study can decide.</param>
public sealed record Finding(string Id, string Claim, Verdict Verdict, string Effect, Effect? Size, string Evidence, string? Diagnosis)
{
    private const string NoStdErr = "No standard error is known for this effect: run at least two seeds or evaluate with per-example scores.";

    /// <summary>
    /// The claim is "size &gt; threshold". It is decided when |size − threshold| &gt; c·SE, c the effect's critical
    /// value (Student t over its seeds, 2 with one seed): holds above, does not hold below; otherwise the data does
    /// not support a verdict.
    /// </summary>
    public static Finding Judge(string id, string claim, string effect, Effect size, string evidence, string noiseHint, double threshold = 0)
    {
        if (size.StdErr is not { } se) return new(id, claim, Verdict.NotSupported, effect, size, evidence, NoStdErr);
        var margin = size.Value - threshold;
        if (Math.Abs(margin) > size.Critical * se)
            return new(id, claim, margin > 0 ? Verdict.Holds : Verdict.DoesNotHold, effect, size, evidence, null);
        return new(id, claim, Verdict.NotSupported, effect, size, evidence, NoiseDiagnosis(size, margin, noiseHint));
    }

    /// <summary>
    /// The claim is "size ≈ 0" (two things are the same), decided against an equivalence margin: holds when the whole
    /// ±c·SE interval lies inside ±margin, does not hold when it lies wholly outside, otherwise not supported.
    /// </summary>
    public static Finding JudgeEquivalence(string id, string claim, string effect, Effect size, double margin, string evidence, string noiseHint)
    {
        if (size.StdErr is not { } se) return new(id, claim, Verdict.NotSupported, effect, size, evidence, NoStdErr);
        var halfWidth = size.Critical * se;
        if (Math.Abs(size.Value) + halfWidth <= margin) return new(id, claim, Verdict.Holds, effect, size, evidence, null);
        if (Math.Abs(size.Value) - halfWidth > margin) return new(id, claim, Verdict.DoesNotHold, effect, size, evidence, null);
        return new(id, claim, Verdict.NotSupported, effect, size, evidence,
            $"The ±{Estimate.Format(size.Critical)}·SE interval ({Estimate.Format(halfWidth)}) straddles the equivalence margin ±{Estimate.Format(margin)}. {noiseHint}");
    }

    public static Finding Missing(string id, string claim, string effect, string whatToAdd) =>
        new(id, claim, Verdict.NotSupported, effect, null, "The data needed is absent.", whatToAdd);

    /// <summary>
    /// What would resolve the effect with 80% power, from the variance parts the verdict used: the item part falls as
    /// 1/(number of items), both parts as 1/(number of seeds).
    /// </summary>
    private static string NoiseDiagnosis(Effect size, double margin, string hint)
    {
        var se = size.StdErr!.Value;
        var text = $"The effect is within {Estimate.Format(size.Critical)}·SE ({Estimate.Format(size.Critical * se)}); "
            + $"the smallest effect this design detects with 80% power is {Estimate.Format(size.MinimumDetectable!.Value)}.";
        if (Math.Abs(margin) < 1e-12 || se == 0) return $"{text} {hint}";
        var neededVariance = Math.Pow(Math.Abs(margin) * se / size.MinimumDetectable!.Value, 2);
        var seedVariance = Math.Pow(size.SeedStdErr ?? 0, 2);
        var itemVariance = Math.Pow(size.ItemStdErr!.Value, 2);
        text += neededVariance > seedVariance
            ? $" Resolving an effect of this size needs about {Math.Ceiling(itemVariance / (neededVariance - seedVariance)):0}× the evaluation items"
            : $" More evaluation items cannot resolve it: the seed part of the SE ({Estimate.Format(size.SeedStdErr!.Value)}) alone exceeds the {Estimate.Format(Math.Sqrt(neededVariance))} needed";
        text += size.SeedNoiseMeasured
            ? $", or about {Math.Ceiling(size.Seeds * se * se / neededVariance):0} training seeds instead of {size.Seeds}."
            : "; training noise is not measured (one seed): train at least 3 seeds to know whether seeds, not items, limit it.";
        return $"{text} {hint}";
    }
}
