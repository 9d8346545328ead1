using Pipeline.Data.Tasks;
using Serilog;

namespace Pipeline.ML.Evaluation;

/// <summary>How a completion is turned into an answer (lm-eval's filter) and compared with the reference, under a metric name.</summary>
public sealed record AnswerMatcher(string Metric, Func<string, string?> Extract, Func<string?, string, bool> Matches)
{
    /// <summary>GSM8K strict-match: "#### n" in the completion.</summary>
    public static AnswerMatcher Strict { get; } = new("exact_match,strict-match", AnswerExtraction.Strict, AnswerExtraction.Matches);

    /// <summary>GSM8K flexible-extract: the last number in the completion.</summary>
    public static AnswerMatcher Flexible { get; } = new("exact_match,flexible-extract", AnswerExtraction.LastNumber, AnswerExtraction.Matches);

    /// <summary>Code: the first body line of the completion equals the reference's.</summary>
    public static AnswerMatcher FirstLine { get; } = new("exact_match,first-line", AnswerExtraction.FirstBodyLine,
        (line, answer) => line is not null && line == AnswerExtraction.FirstBodyLine(answer));

    public bool IsCorrect(string completion, string answer) => Matches(Extract(completion), answer);

    /// <summary>The filter's name, as lm-eval's filter_list names it: the part of the metric after the comma.</summary>
    public string Filter => Metric[(Metric.IndexOf(',') + 1)..];

    public static IReadOnlyList<AnswerMatcher> All { get; } = [Strict, Flexible, FirstLine];

    /// <summary>A filter by name: strict-match, flexible-extract or first-line.</summary>
    public static AnswerMatcher Named(string filter) => All.FirstOrDefault(m => m.Filter == filter)
        ?? throw new ArgumentException($"unknown answer filter '{filter}'; expected one of {string.Join(", ", All.Select(m => m.Filter))}");
}

/// <summary>One generated answer, each matcher's extraction of it, and whether each matcher accepted it.</summary>
public sealed record GenerationOutcome(string Completion, IReadOnlyList<string?> Extracted, IReadOnlyList<bool> Correct);

/// <summary>
/// Generation tasks scored by exact match: one completion per item, with the item's own stop strings. Items are
/// decoded <c>batchSize</c> at a time, grouped by prompt length so that little of each batch is padding.
/// </summary>
public static class ExactMatch
{
    public static (IReadOnlyList<MetricValue> Metrics, IReadOnlyList<GenerationOutcome> Outcomes) Evaluate(string task, IReadOnlyList<GenerationItem> items,
        TextGenerator generator, GenerationOptions options, IReadOnlyList<AnswerMatcher> matchers, int batchSize = 16, Action<EvalProgress>? progress = null)
    {
        if (items.Count == 0) throw new ArgumentException($"{task}: no items");
        if (batchSize < 1) throw new ArgumentException($"{task}: batch size {batchSize} must be positive");
        var outcomes = new GenerationOutcome[items.Count];
        int done = 0;
        foreach (var batch in Enumerable.Range(0, items.Count).OrderBy(i => items[i].Prompt.Length).Chunk(batchSize))
        {
            var completions = generator.Generate(batch.Select(i => items[i].Prompt).ToArray(), options, batch.Select(i => items[i].Stop).ToArray());
            for (int j = 0; j < batch.Length; j++)
            {
                var item = items[batch[j]];
                var extracted = matchers.Select(m => m.Extract(completions[j].Text)).ToArray();
                outcomes[batch[j]] = new GenerationOutcome(completions[j].Text, extracted, matchers.Select((m, k) => m.Matches(extracted[k], item.Answer)).ToArray());
            }
            progress?.Invoke(new EvalProgress("generation", done += batch.Length, items.Count));
        }
        var metrics = matchers.Select((m, i) => Statistics.Mean(task, m.Metric, outcomes.Select(o => o.Correct[i] ? 1.0 : 0.0).ToArray())).ToArray();
        foreach (var metric in metrics) Log.Information("Generation {Task}: {Metric} {Value:F4} over {Count} items", task, metric.Metric, metric.Value, metric.Count);
        return (metrics, outcomes);
    }
}
