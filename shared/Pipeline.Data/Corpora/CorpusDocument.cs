namespace Pipeline.Data.Corpora;

/// <summary>One document of a corpus; the id is stable across rebuilds and decides the document's split.</summary>
public sealed record CorpusDocument(string Id, string Text);

/// <summary>The three domains of the study: general prose (forgetting is measured here), code and math (learning is measured here).</summary>
public static class Domains
{
    public const string Source = "source";
    public const string Code = "code";
    public const string Math = "math";

    public static readonly IReadOnlyList<string> All = [Source, Code, Math];

    public static string Validate(string domain) => All.Contains(domain)
        ? domain
        : throw new ArgumentException($"Unknown domain '{domain}'; expected one of {string.Join(", ", All)}.", nameof(domain));
}
