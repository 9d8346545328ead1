using Serilog;

namespace Pipeline.ML.Evaluation;

/// <summary>How different k completions of one prompt are from each other.</summary>
public sealed record DiversityScores(double FractionUnique, double Distinct1, double Distinct2, double EditSimilarity);

/// <summary>
/// Generation diversity: the fraction of unique completions, distinct-n (unique n-grams / all n-grams of
/// whitespace-split words, pooled over the k completions) and the mean pairwise edit similarity
/// 1 − Levenshtein(a, b) / max(|a|, |b|) in characters.
/// </summary>
public static class Diversity
{
    public static readonly IReadOnlyList<string> MetricNames = ["fraction_unique", "distinct_1", "distinct_2", "edit_similarity"];

    public static DiversityScores Of(IReadOnlyList<string> completions)
    {
        if (completions.Count < 2) throw new ArgumentException($"diversity needs at least two completions (got {completions.Count})");
        var words = completions.Select(c => c.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToArray();
        return new DiversityScores(
            (double)completions.Distinct().Count() / completions.Count,
            Distinct(words, 1),
            Distinct(words, 2),
            MeanPairwise(completions, EditSimilarity));
    }

    /// <summary>
    /// Samples <paramref name="k"/> completions per prompt and averages the scores over prompts. The k samples of
    /// <c>batchSize / k</c> prompts share one batch, seeded with the options' seed plus its first prompt's index.
    /// </summary>
    public static IReadOnlyList<MetricValue> Evaluate(string task, IReadOnlyList<string> prompts, TextGenerator generator, GenerationOptions options, int k,
        int batchSize = 16, Action<EvalProgress>? progress = null)
    {
        if (options.Temperature <= 0) throw new ArgumentException($"{task}: diversity needs sampling (temperature > 0), not greedy decoding");
        if (k < 2) throw new ArgumentException($"{task}: diversity needs at least two samples per prompt (got {k})");
        int promptsPerBatch = Math.Max(1, batchSize / k);
        var scores = new List<DiversityScores>(prompts.Count);
        for (int first = 0; first < prompts.Count; first += promptsPerBatch)
        {
            var batch = prompts.Skip(first).Take(promptsPerBatch).ToArray();
            var completions = generator.Generate(batch.SelectMany(p => Enumerable.Repeat(p, k)).ToArray(), options with { Seed = options.Seed + first });
            scores.AddRange(completions.Chunk(k).Select(samples => Of(samples.Select(c => c.Text).ToArray())));
            progress?.Invoke(new EvalProgress("diversity", scores.Count, prompts.Count));
        }
        Func<DiversityScores, double>[] values = [s => s.FractionUnique, s => s.Distinct1, s => s.Distinct2, s => s.EditSimilarity];
        var metrics = MetricNames.Select((name, i) => Statistics.Mean(task, name, scores.Select(values[i]).ToArray())).ToArray();
        Log.Information("Diversity {Task}: {Prompts} prompts × {K}, distinct-2 {Distinct2:F4}", task, prompts.Count, k, metrics[2].Value);
        return metrics;
    }

    public static double EditSimilarity(string a, string b) =>
        a.Length == 0 && b.Length == 0 ? 1.0 : 1.0 - (double)Levenshtein(a, b) / Math.Max(a.Length, b.Length);

    public static int Levenshtein(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    /// <summary>Unique n-grams over all n-grams; 0 when the completions hold no n-gram at all.</summary>
    private static double Distinct(string[][] words, int n)
    {
        var grams = words.SelectMany(w => Enumerable.Range(0, Math.Max(0, w.Length - n + 1)).Select(i => string.Join(' ', w, i, n))).ToArray();
        return grams.Length == 0 ? 0 : (double)grams.Distinct().Count() / grams.Length;
    }

    private static double MeanPairwise(IReadOnlyList<string> items, Func<string, string, double> similarity)
    {
        double sum = 0;
        int pairs = 0;
        for (int i = 0; i < items.Count; i++)
            for (int j = i + 1; j < items.Count; j++, pairs++) sum += similarity(items[i], items[j]);
        return sum / pairs;
    }
}
