using Pipeline.Reporting.Scoring;

namespace Pipeline.Reporting.Findings;

public enum Verdict { Holds, DoesNotHold, NotSupported }

/// <param name="Effect">What <paramref name="Size"/> measures, e.g. "full FT − LoRA, target score at the last checkpoint".</param>
/// <param name="Diagnosis">Set when the verdict is <see cref="Verdict.NotSupported"/>: what to change so the study can decide.</param>
public sealed record Finding(string Id, string Claim, Verdict Verdict, string Effect, Estimate? Size, string Evidence, string? Diagnosis)
{
    /// <summary>
    /// The claim is "size &gt; threshold". It is decided when |size − threshold| &gt; 2·SE: holds above, does not hold
    /// below; otherwise the data does not support a verdict.
    /// </summary>
    public static Finding Judge(string id, string claim, string effect, Estimate size, string evidence, string noiseHint, double threshold = 0)
    {
        if (size.StdErr is not { } se)
            return new(id, claim, Verdict.NotSupported, effect, size, evidence,
                "No standard error is known for this effect: run at least two seeds or evaluate with per-example scores.");
        var margin = size.Value - threshold;
        if (Math.Abs(margin) > 2 * se)
            return new(id, claim, margin > 0 ? Verdict.Holds : Verdict.DoesNotHold, effect, size, evidence, null);
        return new(id, claim, Verdict.NotSupported, effect, size, evidence, NoiseDiagnosis(margin, se, noiseHint));
    }

    /// <summary>
    /// The claim is "size ≈ 0" (two things are the same), decided against an equivalence margin: holds when the whole
    /// ±2·SE interval lies inside ±margin, does not hold when it lies wholly outside, otherwise not supported.
    /// </summary>
    public static Finding JudgeEquivalence(string id, string claim, string effect, Estimate size, double margin, string evidence, string noiseHint)
    {
        if (size.StdErr is not { } se)
            return new(id, claim, Verdict.NotSupported, effect, size, evidence,
                "No standard error is known for this effect: run at least two seeds or evaluate with per-example scores.");
        if (Math.Abs(size.Value) + 2 * se <= margin) return new(id, claim, Verdict.Holds, effect, size, evidence, null);
        if (Math.Abs(size.Value) - 2 * se > margin) return new(id, claim, Verdict.DoesNotHold, effect, size, evidence, null);
        return new(id, claim, Verdict.NotSupported, effect, size, evidence,
            $"The ±2·SE interval ({Estimate.Format(2 * se)}) straddles the equivalence margin ±{Estimate.Format(margin)}. {noiseHint}");
    }

    public static Finding Missing(string id, string claim, string effect, string whatToAdd) =>
        new(id, claim, Verdict.NotSupported, effect, null, "The data needed is absent.", whatToAdd);

    /// <summary>SE falls as 1/√n, so resolving the effect at 2·SE needs (2·SE/|effect|)² times the samples.</summary>
    private static string NoiseDiagnosis(double value, double se, string hint)
    {
        var noise = $"The effect is within 2·SE ({Estimate.Format(2 * se)}).";
        if (Math.Abs(value) < 1e-12 || se == 0) return $"{noise} {hint}";
        var factor = Math.Pow(2 * se / Math.Abs(value), 2);
        return $"{noise} Resolving an effect of this size needs about {Math.Ceiling(factor * 1.2):0}× the evaluation "
            + $"examples or seeds (SE falls as 1/√n). {hint}";
    }
}
