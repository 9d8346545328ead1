using Pipeline.Data.Tasks;
using Serilog;

namespace Pipeline.ML.Evaluation;

/// <summary>One item's choice log-likelihoods and the choices picked by the raw and the length-normalised score.</summary>
public sealed record MultipleChoiceOutcome(int Label, int Predicted, int PredictedNorm, double[] LogLikelihoods);

/// <summary>
/// lm-evaluation-harness multiple choice: each choice, prefixed by the target delimiter, is a continuation of the
/// context; <c>acc</c> takes the argmax of the summed log-likelihood, <c>acc_norm</c> of the log-likelihood divided
/// by the choice's length in characters (without the delimiter). Ties go to the first choice, as np.argmax.
/// </summary>
public static class MultipleChoice
{
    /// <summary>What <see cref="Evaluate"/> reports, in its order.</summary>
    public static readonly IReadOnlyList<string> MetricNames = ["acc", "acc_norm"];

    public static (IReadOnlyList<MetricValue> Metrics, IReadOnlyList<MultipleChoiceOutcome> Outcomes) Evaluate(
        string task, IReadOnlyList<MultipleChoiceItem> items, LogLikelihoodScorer scorer, ITextCodec codec, string targetDelimiter = " ")
    {
        for (int i = 0; i < items.Count; i++) Validate(task, items[i], i);
        var requests = items.SelectMany(item => item.Choices.Select(choice => RequestEncoding.Encode(codec, item.Context, targetDelimiter + choice))).ToArray();
        var scores = scorer.Score(requests);

        var outcomes = new List<MultipleChoiceOutcome>(items.Count);
        int next = 0;
        foreach (var item in items)
        {
            var logLikelihoods = item.Choices.Select(_ => scores[next++].LogProb).ToArray();
            var normalised = logLikelihoods.Select((ll, c) => ll / item.Choices[c].Length).ToArray();
            outcomes.Add(new MultipleChoiceOutcome(item.Label, ArgMax(logLikelihoods), ArgMax(normalised), logLikelihoods));
        }
        var metrics = new[]
        {
            Statistics.Mean(task, "acc", outcomes.Select(o => o.Predicted == o.Label ? 1.0 : 0.0).ToArray()),
            Statistics.Mean(task, "acc_norm", outcomes.Select(o => o.PredictedNorm == o.Label ? 1.0 : 0.0).ToArray()),
        };
        Log.Information("Multiple choice {Task}: {Items} items, acc {Acc:F4}, acc_norm {AccNorm:F4}", task, items.Count, metrics[0].Value, metrics[1].Value);
        return (metrics, outcomes);
    }

    private static int ArgMax(double[] values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }

    private static void Validate(string task, MultipleChoiceItem item, int index)
    {
        if (item.Choices.Count < 2) throw new ArgumentException($"{task} item {index}: needs at least two choices (got {item.Choices.Count})");
        if (item.Label < 0 || item.Label >= item.Choices.Count)
            throw new ArgumentException($"{task} item {index}: label {item.Label} is not a choice index in [0, {item.Choices.Count})");
        if (item.Choices.Any(c => c.Length == 0)) throw new ArgumentException($"{task} item {index}: empty choice");
    }
}
