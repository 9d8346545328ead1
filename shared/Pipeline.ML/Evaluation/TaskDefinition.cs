using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Data.UserData;

namespace Pipeline.ML.Evaluation;

/// <summary>How a task's items are scored, by lm-evaluation-harness's <c>output_type</c> names.</summary>
public enum OutputType
{
    /// <summary>Whole documents: perplexity, bits per byte (lm-eval's <c>loglikelihood_rolling</c>).</summary>
    LoglikelihoodRolling,

    /// <summary>A context and its choices: acc and acc_norm by log-likelihood (<c>multiple_choice</c>).</summary>
    MultipleChoice,

    /// <summary>Greedy completion until a stop string, scored by exact match after each answer filter (<c>generate_until</c>).</summary>
    GenerateUntil,
}

/// <summary>
/// An evaluation task as data, as an lm-evaluation-harness task config is: its items (a JSONL file in
/// <see cref="Pipeline.Data.Tasks.TaskFile"/>'s shapes), the corpus domain they come from (<see cref="Pipeline.Data.Corpora.Domains"/>),
/// its output type and, for generation,
/// the answer filters whose exact match it reports. The built-in tasks and a user's task file are both one of these;
/// the evaluator dispatches on it and on nothing else.
/// </summary>
public sealed record TaskDefinition(string Name, string Domain, string File, OutputType OutputType, IReadOnlyList<AnswerMatcher> Filters)
{
    /// <summary>GSM8K's two filters: "#### n", and the last number in the completion.</summary>
    public static readonly IReadOnlyList<AnswerMatcher> Gsm8kFilters = [AnswerMatcher.Strict, AnswerMatcher.Flexible];

    public static TaskDefinition Rolling(string name, string domain, string file) => new(name, domain, file, OutputType.LoglikelihoodRolling, []);

    public static TaskDefinition Choice(string name, string domain, string file) => new(name, domain, file, OutputType.MultipleChoice, []);

    public static TaskDefinition Generation(string name, string domain, string file, IReadOnlyList<AnswerMatcher> filters) =>
        filters.Count > 0 ? new(name, domain, file, OutputType.GenerateUntil, filters)
            : throw new ArgumentException($"task {name}: generate_until needs at least one answer filter");

    /// <summary>
    /// A user's task file, its output type read from the fields of its first item: <c>text</c> is a document
    /// (loglikelihood_rolling), <c>context</c> + <c>choices</c> + <c>label</c> a multiple-choice item, <c>prompt</c> +
    /// <c>answer</c> a generation item, scored by <paramref name="filters"/> (default: GSM8K's strict and flexible).
    /// </summary>
    public static TaskDefinition FromFile(string path, string domain, IReadOnlyList<string>? filters = null)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        var (line, fields) = FirstItemFields(path);
        if (fields.Contains("choices") && fields.Contains("context") && fields.Contains("label")) return Choice(name, domain, path);
        if (fields.Contains("prompt") && fields.Contains("answer"))
            return Generation(name, domain, path, filters is null ? Gsm8kFilters : [.. filters.Select(AnswerMatcher.Named)]);
        if (fields.Contains("text")) return Rolling(name, domain, path);
        throw new InvalidDataException($"{path}:{line}: not a task item: expected the fields text, or context/choices/label, or prompt/answer");
    }

    private static (int Line, HashSet<string> Fields) FirstItemFields(string path)
    {
        foreach (var (number, text) in Utf8Lines.Read(path))
        {
            if (string.IsNullOrWhiteSpace(text)) continue;
            JsonNode? item;
            try { item = JsonNode.Parse(text); }
            catch (JsonException e) { throw new InvalidDataException($"{path}:{number}: not valid JSON: {e.Message}"); }
            if (item is not JsonObject fields) throw new InvalidDataException($"{path}:{number}: a task item must be a JSON object");
            return (number, [.. fields.Select(p => p.Key)]);
        }
        throw new InvalidDataException($"{path}: the task file has no items");
    }

    /// <summary>The metrics it reports, lm-eval's names (<c>metric,filter</c> for generation).</summary>
    public IReadOnlyList<string> Metrics => OutputType switch
    {
        OutputType.LoglikelihoodRolling => Perplexity.MetricNames,
        OutputType.MultipleChoice => MultipleChoice.MetricNames,
        _ => [.. Filters.Select(f => f.Metric)],
    };
}
