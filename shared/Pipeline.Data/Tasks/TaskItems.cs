using System.Text.Json.Serialization;

namespace Pipeline.Data.Tasks;

/// <summary>Held-out text scored by perplexity and bits per byte.</summary>
public sealed record PerplexityDocument(string Id, string Text)
{
    /// <summary>The document's first <paramref name="maxChars"/> characters at most, cut after the last whitespace before the limit.</summary>
    public PerplexityDocument Leading(int maxChars)
    {
        if (Text.Length <= maxChars) return this;
        int cut = Text.LastIndexOfAny([' ', '\n', '\t'], maxChars - 1);
        return this with { Text = Text[..(cut > 0 ? cut : maxChars)] };
    }
}

/// <summary>lm-evaluation-harness multiple choice: score each choice's log-likelihood after the context (acc, acc_norm).</summary>
/// <param name="SourceId">The document the item was drawn from (HellaSwag's <c>source_id</c>): items sharing one are correlated.</param>
public sealed record MultipleChoiceItem(string Context, IReadOnlyList<string> Choices, int Label,
    [property: JsonPropertyName("source_id")] string? SourceId = null);

/// <summary>lm-evaluation-harness generate-until: generate after the prompt until a stop string, then exact-match the answer.</summary>
/// <param name="Id">The item's id (a problem's, a function's); <paramref name="SourceId"/> the document it came from, as for multiple choice.</param>
public sealed record GenerationItem(string Prompt, string Answer, IReadOnlyList<string> Stop, string? Id = null,
    [property: JsonPropertyName("source_id")] string? SourceId = null);
