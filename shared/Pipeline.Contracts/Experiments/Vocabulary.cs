namespace Pipeline.Contracts.Experiments;

/// <summary>The closed sets of names an experiment request may use.</summary>
public static class Vocabulary
{
    public static readonly IReadOnlyList<string> Methods = ["full", "lora", "rslora", "dora", "loraplus"];
    public static readonly IReadOnlyList<string> Regimes = ["cpt", "ift"];
    public static readonly IReadOnlyList<string> Optimizers = ["adamw", "lionw"];
    public static readonly IReadOnlyList<string> Schedules = ["cosine", "inverse_sqrt", "constant"];
    public static readonly IReadOnlyList<string> AttentionModules = ["q_proj", "k_proj", "v_proj", "o_proj"];
    public static readonly IReadOnlyList<string> MlpModules = ["gate_proj", "up_proj", "down_proj"];
    public static readonly IReadOnlyList<string> ModulePresets = ["attention", "mlp", "all"];

    public static IReadOnlyList<string> AllModules { get; } = [.. AttentionModules, .. MlpModules];

    /// <summary>Expands presets (attention, mlp, all) and keeps explicit module names, in Llama order.</summary>
    public static IReadOnlyList<string> ExpandModules(IEnumerable<string> names)
    {
        var chosen = new HashSet<string>();
        foreach (var name in names)
            chosen.UnionWith(name switch
            {
                "attention" => AttentionModules,
                "mlp" => MlpModules,
                "all" => AllModules,
                _ => [name],
            });
        return AllModules.Where(chosen.Contains).ToList();
    }

    /// <summary>LoRA+ when the request gives no ratio: B's learning rate 16 × A's, PEFT's recommendation.</summary>
    public const double DefaultLoraPlusRatio = 16;

    /// <summary>The paper's names for module sets: all, mlp or attention, else the list itself.</summary>
    public static string ModuleSetName(IReadOnlyList<string> modules)
    {
        var set = modules.ToHashSet();
        if (set.SetEquals(AllModules)) return "all";
        if (set.SetEquals(AttentionModules)) return "attention";
        if (set.SetEquals(MlpModules)) return "mlp";
        return string.Join(",", modules);
    }

    public static string DefaultSchedule(string regime) => regime == "cpt" ? "inverse_sqrt" : "cosine";
}
