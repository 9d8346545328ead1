using Pipeline.Contracts.Experiments;

namespace Pipeline.Reporting.Scoring;

/// <summary>Projections by their Hugging Face names, as requests, rank rows and reports all write them.</summary>
public static class ModuleNames
{
    private static readonly List<string> Order = [.. Vocabulary.AllModules];

    public static bool IsMlp(string module) => Vocabulary.MlpModules.Contains(module);

    public static bool IsAttention(string module) => Vocabulary.AttentionModules.Contains(module);

    /// <summary>Attention then MLP in forward order; unknown names after them, by name.</summary>
    public static List<string> Ordered(IEnumerable<string> modules) =>
        modules.Distinct()
            .OrderBy(m => Order.IndexOf(m) is var i and >= 0 ? i : Order.Count)
            .ThenBy(m => m, StringComparer.Ordinal).ToList();
}
