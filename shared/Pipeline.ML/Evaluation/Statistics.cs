namespace Pipeline.ML.Evaluation;

/// <summary>Standard errors as lm-evaluation-harness reports them.</summary>
public static class Statistics
{
    /// <summary>
    /// Mean with the standard error of the mean, sample std (n−1) / √n, the harness's <c>mean_stderr</c>. For 0/1
    /// values this is the binomial standard error √(p(1−p)/(n−1)).
    /// </summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static MetricValue Mean(string task, string metric, IReadOnlyList<double> values)
    {
        int n = values.Count;
        if (n == 0) throw new ArgumentException($"{task}/{metric}: no values to average");
        double mean = values.Average();
        double variance = n < 2 ? double.NaN : values.Sum(v => (v - mean) * (v - mean)) / (n - 1);
        return new MetricValue(task, metric, mean, Math.Sqrt(variance / n), n);
    }

    /// <summary>
    /// The ratio Σnumerator / Σdenominator over documents (a corpus-level loss), with the delta-method standard
    /// error from the per-document residuals numerator_i − R·denominator_i.
    /// </summary>
    public static (double Ratio, double StdErr) Ratio(IReadOnlyList<double> numerators, IReadOnlyList<double> denominators)
    {
        int n = numerators.Count;
        if (n == 0 || n != denominators.Count) throw new ArgumentException("ratio needs equally many numerators and denominators, at least one");
        double ratio = numerators.Sum() / denominators.Sum();
        if (n < 2) return (ratio, double.NaN);
        double residualVariance = Enumerable.Range(0, n).Sum(i => Math.Pow(numerators[i] - ratio * denominators[i], 2)) / (n - 1);
        return (ratio, Math.Sqrt(residualVariance / n) / denominators.Average());
    }
}
