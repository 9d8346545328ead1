using System.Text.Json;
using Pipeline.Contracts.Stages;
using Pipeline.Data;
using Pipeline.Data.Tasks;
using Pipeline.ML.Evaluation;

namespace Pipeline.Compute.Evaluator;

/// <summary>
/// The per-item records of an evaluation in lm-evaluation-harness's <c>--log_samples</c> shape: <c>doc</c>,
/// <c>target</c>, <c>resps</c> (loglikelihood requests: <c>[[ll, is_greedy]]</c>, is_greedy not computed here, so false),
/// <c>filtered_resps</c>, and the item's metric fields.
/// </summary>
public static class EvaluationSamples
{
    public static IEnumerable<SampleResult> Perplexity(string task, string domain, IReadOnlyList<PerplexityDocument> documents, IReadOnlyList<DocumentScore> scores) =>
        scores.Select((score, i) => new SampleResult(task, domain, i, documents[i].Id, null, Json(documents[i]), "",
            Json(new[] { new[] { score.LogProb } }), Json(new[] { score.LogProb }), DocumentValues(score)));

    /// <summary>The document's counts, and its own perplexities as lm-eval's wikitext scores each document before pooling.</summary>
    private static Dictionary<string, double> DocumentValues(DocumentScore score) => new()
    {
        ["loglikelihood"] = score.LogProb, ["tokens"] = score.Tokens, ["bytes"] = score.Bytes, ["words"] = score.Words,
        ["word_perplexity"] = Math.Exp(-score.LogProb / score.Words),
        ["byte_perplexity"] = Math.Exp(-score.LogProb / score.Bytes),
        ["bits_per_byte"] = -score.LogProb / (Math.Log(2) * score.Bytes),
    };

    public static IEnumerable<SampleResult> MultipleChoice(string task, string domain, IReadOnlyList<MultipleChoiceItem> items, IReadOnlyList<MultipleChoiceOutcome> outcomes) =>
        outcomes.Select((o, i) =>
        {
            var values = new Dictionary<string, double>
            {
                ["acc"] = o.Predicted == o.Label ? 1 : 0, ["acc_norm"] = o.PredictedNorm == o.Label ? 1 : 0,
                ["predicted"] = o.Predicted, ["predicted_norm"] = o.PredictedNorm, ["label"] = o.Label,
            };
            for (var c = 0; c < o.LogLikelihoods.Length; c++) values[$"loglikelihood_{c}"] = o.LogLikelihoods[c];
            var responses = o.LogLikelihoods.Select(ll => new object[] { ll, false }).ToArray();
            return new SampleResult(task, domain, i, $"{i}", items[i].SourceId, Json(items[i]), o.Label.ToString(),
                Json(responses.Select(r => new[] { r })), Json(responses), values);
        });

    public static IEnumerable<SampleResult> Generation(string task, string domain, IReadOnlyList<GenerationItem> items, IReadOnlyList<GenerationOutcome> outcomes,
        IReadOnlyList<AnswerMatcher> matchers) =>
        outcomes.Select((o, i) => new SampleResult(task, domain, i, items[i].Id ?? $"{i}", items[i].SourceId, Json(items[i]), items[i].Answer,
            Json(new[] { new[] { o.Completion } }), Json(new[] { o.Extracted[0] }),
            matchers.Select((m, k) => (m.Metric, Value: o.Correct[k] ? 1.0 : 0.0)).ToDictionary(p => p.Metric, p => p.Value)));

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, DataJson.Options);
}
