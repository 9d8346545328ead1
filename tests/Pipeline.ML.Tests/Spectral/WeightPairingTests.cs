using Pipeline.ML.Benchmarks;
using Pipeline.ML.Spectral;
using static TorchSharp.torch;

namespace Pipeline.ML.Tests.Spectral;

public class WeightPairingTests
{
    [Theory]
    [InlineData("model.layers.3.mlp.up_proj.weight", 3, "up_proj", "model.layers.3.mlp.up_proj", "weight")]
    [InlineData("model.layers.0.self_attn.q_proj.weight", 0, "q_proj", "model.layers.0.self_attn.q_proj", "weight")]
    [InlineData("model.layers.12.self_attn.o_proj.weight", 12, "o_proj", "model.layers.12.self_attn.o_proj", "weight")]
    [InlineData("base_model.model.model.layers.5.mlp.down_proj.lora_B.weight", 5, "down_proj",
        "base_model.model.model.layers.5.mlp.down_proj", "lora_B.weight")]
    public void Parses_projection_names(string name, int layer, string module, string stem, string suffix) =>
        Assert.Equal(new ProjectionName(layer, module, stem, suffix), ProjectionName.TryParse(name));

    [Theory]
    [InlineData("model.embed_tokens.weight")]
    [InlineData("model.layers.3.input_layernorm.weight")]
    [InlineData("model.layers.3.self_attn.up_proj.weight")]
    [InlineData("model.layers.3.mlp.q_proj.weight")]
    [InlineData("model.layers.x.mlp.up_proj.weight")]
    [InlineData("lm_head.weight")]
    public void Rejects_other_names(string name) => Assert.Null(ProjectionName.TryParse(name));

    [Fact]
    public void Pairs_only_projection_matrices_in_layer_and_module_order()
    {
        using var scope = NewDisposeScope();
        var (baseWeights, finetuned) = RankBenchmark.SyntheticCheckpoint(layers: 2, hidden: 8, intermediate: 12);
        foreach (var dict in new[] { baseWeights, finetuned })
        {
            dict["model.embed_tokens.weight"] = zeros(16, 8);
            dict["model.layers.0.input_layernorm.weight"] = ones(8);
        }

        var pairs = WeightPair.Pair(baseWeights, finetuned).ToList();

        Assert.Equal(14, pairs.Count);
        Assert.Equal(
            Enumerable.Range(0, 2).SelectMany(l => ProjectionName.Modules.Select(m => (l, m))),
            pairs.Select(p => (p.Layer, p.Module)));
        Assert.Same(baseWeights["model.layers.1.mlp.gate_proj.weight"], pairs[11].Base);
        Assert.Same(finetuned["model.layers.1.mlp.gate_proj.weight"], pairs[11].Finetuned);
    }

    [Fact]
    public void Missing_or_reshaped_base_weights_are_named()
    {
        using var scope = NewDisposeScope();
        const string key = "model.layers.0.self_attn.k_proj.weight";
        var finetuned = new Dictionary<string, Tensor> { [key] = zeros(4, 8) };

        var missing = Assert.Throws<KeyNotFoundException>(() => WeightPair.Pair(new Dictionary<string, Tensor>(), finetuned).ToList());
        var reshaped = Assert.Throws<ArgumentException>(() =>
            WeightPair.Pair(new Dictionary<string, Tensor> { [key] = zeros(8, 4) }, finetuned).ToList());

        Assert.Contains(key, missing.Message);
        Assert.Contains(key, reshaped.Message);
        Assert.Contains("[8, 4]", reshaped.Message);
    }

    [Fact]
    public void Pairs_peft_adapter_weights_with_their_base()
    {
        using var scope = NewDisposeScope();
        var baseWeights = new Dictionary<string, Tensor>
        {
            ["model.layers.1.self_attn.v_proj.weight"] = zeros(6, 8),
            ["model.layers.0.mlp.down_proj.weight"] = zeros(8, 12),
        };
        var adapter = new Dictionary<string, Tensor>
        {
            ["base_model.model.model.layers.1.self_attn.v_proj.lora_A.weight"] = ones(2, 8),
            ["base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight"] = ones(6, 2),
            ["base_model.model.model.layers.0.mlp.down_proj.lora_A.weight"] = ones(2, 12),
            ["base_model.model.model.layers.0.mlp.down_proj.lora_B.weight"] = ones(8, 2),
        };

        var deltas = LoraDelta.Pair(baseWeights, adapter, scaling: 2.0).ToList();

        Assert.Equal(["model.layers.0.mlp.down_proj.weight", "model.layers.1.self_attn.v_proj.weight"], deltas.Select(d => d.Name));
        Assert.Equal([("down_proj", 0), ("v_proj", 1)], deltas.Select(d => (d.Module, d.Layer)));
        Assert.All(deltas, d => Assert.Equal(2, d.Rank));
        Assert.Same(baseWeights["model.layers.1.self_attn.v_proj.weight"], deltas[1].Base);
    }

    [Fact]
    public void Adapter_factors_that_do_not_fit_the_base_are_named()
    {
        using var scope = NewDisposeScope();
        var baseWeights = new Dictionary<string, Tensor> { ["model.layers.0.self_attn.q_proj.weight"] = zeros(6, 8) };
        var adapter = new Dictionary<string, Tensor>
        {
            ["base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"] = ones(2, 6),
            ["base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight"] = ones(6, 2),
        };

        var error = Assert.Throws<ArgumentException>(() => LoraDelta.Pair(baseWeights, adapter, 1.0).ToList());

        Assert.Contains("model.layers.0.self_attn.q_proj.weight", error.Message);
    }

    [Fact]
    public void Dora_adapters_are_refused()
    {
        using var scope = NewDisposeScope();
        var adapter = new Dictionary<string, Tensor>
        {
            ["base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"] = ones(2, 8),
            ["base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight"] = ones(6, 2),
            ["base_model.model.model.layers.0.self_attn.q_proj.lora_magnitude_vector"] = ones(6),
        };

        var error = Assert.Throws<NotSupportedException>(() =>
            LoraDelta.Pair(new Dictionary<string, Tensor>(), adapter, 1.0).ToList());

        Assert.Contains("lora_magnitude_vector", error.Message);
    }
}
