namespace Pipeline.Reporting.Scoring;

/// <summary>Projection names as the rank analysis writes them ("q", "gate"), also accepting Hugging Face's ("q_proj").</summary>
public static class ModuleNames
{
    private static readonly string[] Order = ["q", "k", "v", "o", "gate", "up", "down"];

    public static string Short(string module) => module.EndsWith("_proj", StringComparison.Ordinal) ? module[..^"_proj".Length] : module;

    public static bool IsMlp(string module) => Short(module) is "gate" or "up" or "down";

    public static bool IsAttention(string module) => Short(module) is "q" or "k" or "v" or "o";

    /// <summary>Attention then MLP in forward order; unknown names after them, by name.</summary>
    public static List<string> Ordered(IEnumerable<string> modules) =>
        modules.Distinct()
            .OrderBy(m => Array.IndexOf(Order, Short(m)) is var i and >= 0 ? i : Order.Length)
            .ThenBy(m => m, StringComparer.Ordinal).ToList();
}
