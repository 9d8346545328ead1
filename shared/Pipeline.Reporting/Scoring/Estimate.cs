using System.Globalization;

namespace Pipeline.Reporting.Scoring;

/// <summary>A measured value with its standard error; a null error means "unknown", which no verdict can rest on.</summary>
public readonly record struct Estimate(double Value, double? StdErr)
{
    public static Estimate operator -(Estimate a, Estimate b) => new(a.Value - b.Value, Quadrature(a.StdErr, b.StdErr));

    public static Estimate operator +(Estimate a, Estimate b) => new(a.Value + b.Value, Quadrature(a.StdErr, b.StdErr));

    public static Estimate operator -(Estimate a) => new(-a.Value, a.StdErr);

    public Estimate Scale(double factor) => new(Value * factor, StdErr * Math.Abs(factor));

    /// <summary>Unweighted mean of independent measurements (e.g. several tasks): SE = √Σse² / n.</summary>
    public static Estimate MeanOfIndependent(IReadOnlyList<Estimate> items)
    {
        if (items.Count == 0) throw new ArgumentException("cannot average zero estimates", nameof(items));
        double? sumOfSquares = 0;
        foreach (var item in items) sumOfSquares = item.StdErr is { } se ? sumOfSquares + se * se : null;
        return new(items.Average(i => i.Value), sumOfSquares is { } s ? Math.Sqrt(s) / items.Count : null);
    }

    /// <summary>
    /// Mean over repeated runs (seeds). The spread between seeds already contains evaluation noise, but with few seeds
    /// it is itself noisy, so the propagated evaluation error is kept as a floor.
    /// </summary>
    public static Estimate MeanOfRepeats(IReadOnlyList<Estimate> repeats)
    {
        var independent = MeanOfIndependent(repeats);
        if (repeats.Count < 2) return independent;
        var mean = independent.Value;
        var sd = Math.Sqrt(repeats.Sum(r => (r.Value - mean) * (r.Value - mean)) / (repeats.Count - 1));
        var seedError = sd / Math.Sqrt(repeats.Count);
        return new(mean, Math.Max(seedError, independent.StdErr ?? 0));
    }

    /// <summary>Mean over a population (layers, modules), with the standard error of that mean from its spread.</summary>
    public static Estimate MeanOfSample(IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("cannot average zero values", nameof(values));
        var mean = values.Average();
        if (values.Count < 2) return new(mean, null);
        var sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        return new(mean, sd / Math.Sqrt(values.Count));
    }

    public override string ToString() => StdErr is { } se ? $"{Format(Value)} ± {Format(se)}" : $"{Format(Value)} (no SE)";

    internal static string Format(double v)
    {
        var text = v.ToString(Math.Abs(v) >= 100 ? "0" : Math.Abs(v) >= 1 ? "0.##" : "0.####", CultureInfo.InvariantCulture);
        return text == "-0" ? "0" : text;
    }

    /// <summary>√(a² + b²), the SE of a sum or difference of independent estimates; unknown when either is.</summary>
    internal static double? Quadrature(double? a, double? b) => a is { } x && b is { } y ? Math.Sqrt(x * x + y * y) : null;
}
