using System.Text.RegularExpressions;
using Pipeline.ML.Adapters;

namespace Pipeline.ML.Spectral;

/// <summary>
/// A decoder-layer projection named the Hugging Face Llama way, e.g. <c>model.layers.3.mlp.up_proj.weight</c>:
/// <see cref="Stem"/> is <c>model.layers.3.mlp.up_proj</c>, <see cref="Suffix"/> is <c>weight</c>.
/// </summary>
public sealed partial record ProjectionName(int Layer, string Module, string Stem, string Suffix)
{
    /// <summary>The projections in decoder order, by their Hugging Face names: attention q, k, v, o, then MLP gate, up, down.</summary>
    public static IReadOnlyList<string> Modules { get; } = LoraConfig.AllModules;

    public int ModuleOrder => IndexOfModule(Module);

    /// <summary>Parses a tensor name, or returns null when it is not a q/k/v/o/gate/up/down projection of a layer.</summary>
    public static ProjectionName? TryParse(string name)
    {
        var match = Pattern().Match(name);
        if (!match.Success) return null;
        return new ProjectionName(
            int.Parse(match.Groups["layer"].Value),
            match.Groups["module"].Value,
            match.Groups["stem"].Value,
            match.Groups["suffix"].Value);
    }

    public static int IndexOfModule(string module)
    {
        for (int i = 0; i < Modules.Count; i++)
            if (Modules[i] == module) return i;
        throw new ArgumentException($"Unknown projection module '{module}'; expected one of {string.Join(", ", Modules)}.", nameof(module));
    }

    [GeneratedRegex(@"^(?<stem>(?:.*\.)?layers\.(?<layer>\d+)\.(?:self_attn\.(?<module>[qkvo]_proj)|mlp\.(?<module>(?:gate|up|down)_proj)))\.(?<suffix>.+)$")]
    private static partial Regex Pattern();
}
