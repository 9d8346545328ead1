using Pipeline.ML.Modeling;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.ML.Adapters;

/// <summary>
/// PEFT's get_peft_model for Llama: swaps each targeted projection for a <see cref="LoraLinear"/> wrapping it and
/// freezes everything else. Module names stay HF's (model.layers.{i}.self_attn.q_proj), so PEFT keys follow.
/// </summary>
public static class LoraModel
{
    /// <summary>Wraps the targeted projections; A's initialisation is drawn from <paramref name="seed"/> when given.</summary>
    public static IReadOnlyDictionary<string, LoraLinear> Inject(LlamaForCausalLM model, LoraConfig config, long? seed = null)
    {
        using var generator = seed is { } s ? new Generator((ulong)s, model.Device) : null;
        config.Validate();
        if (Adapters(model).Count > 0) throw new InvalidOperationException("the model already has a LoRA adapter");
        var targets = LoraConfig.ResolveTargets(config.TargetModules);
        foreach (var parameter in model.parameters()) parameter.requires_grad = false;
        foreach (var layer in model.Decoder.Layers)
        {
            foreach (IHasProjections block in new IHasProjections[] { layer.Attention, layer.Mlp })
            {
                foreach (var name in block.ProjectionNames.Where(targets.Contains))
                {
                    var linear = block.GetProjection(name) as Linear
                        ?? throw new InvalidOperationException($"{name} is not a plain Linear and cannot take an adapter");
                    block.SetProjection(name, new LoraLinear(linear, config, generator));
                }
            }
        }
        return Adapters(model);
    }

    /// <summary>Module name (e.g. model.layers.0.self_attn.q_proj) → its adapter, in model order.</summary>
    public static IReadOnlyDictionary<string, LoraLinear> Adapters(LlamaForCausalLM model) =>
        model.named_modules()
            .Where(m => m.module is LoraLinear)
            .ToDictionary(m => m.name, m => (LoraLinear)m.module);

    public static void MergeAll(LlamaForCausalLM model)
    {
        foreach (var adapter in Adapters(model).Values) adapter.Merge();
    }

    public static void UnmergeAll(LlamaForCausalLM model)
    {
        foreach (var adapter in Adapters(model).Values) adapter.Unmerge();
    }

    /// <summary>The parameters an optimizer should update: adapter weights, or every weight when there is no adapter.</summary>
    public static IReadOnlyList<(string Name, Parameter Parameter)> TrainableParameters(LlamaForCausalLM model) =>
        [.. model.named_parameters().Where(p => p.parameter.requires_grad)];

    /// <summary>For every targeted projection, its (base, effective) weights: the input of the spectral analysis.</summary>
    public static IEnumerable<(string Name, Tensor BaseWeight, Tensor MergedWeight)> WeightPairs(LlamaForCausalLM model) =>
        Adapters(model).Select(pair => (pair.Key + ".weight", (Tensor)pair.Value.BaseLayer.weight!, pair.Value.MergedWeight()));
}
