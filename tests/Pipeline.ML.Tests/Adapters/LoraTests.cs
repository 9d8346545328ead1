using Pipeline.ML.Adapters;
using Pipeline.ML.Modeling;
using static TorchSharp.torch;

namespace Pipeline.ML.Tests.Adapters;

public class LoraTests
{
    public static TheoryData<string> Variants => new() { "lora", "rslora", "dora" };

    private static LoraConfig ConfigFor(string variant, int rank = 4) => new()
    {
        Rank = rank, Alpha = 2 * rank, TargetModules = ["all"], UseRsLora = variant == "rslora", UseDora = variant == "dora",
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void A_fresh_adapter_gives_exactly_the_base_output(string variant)
    {
        using var model = TinyModels.Create();
        using var ids = TinyModels.RandomIds(2, 12);
        using var before = model.forward(ids);
        LoraModel.Inject(model, ConfigFor(variant));
        using var after = model.forward(ids);
        Assert.True(before.BitEqual(after));
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Merged_forward_equals_unmerged_forward(string variant)
    {
        using var model = TinyModels.Create();
        var adapters = LoraModel.Inject(model, ConfigFor(variant));
        Perturb(adapters.Values);
        using var ids = TinyModels.RandomIds(2, 12);
        using var unmerged = model.forward(ids);
        using var baseWeight = adapters.Values.First().BaseLayer.weight!.clone();
        LoraModel.MergeAll(model);
        using var merged = model.forward(ids);
        Assert.True(unmerged.allclose(merged, rtol: 0, atol: 1e-5), $"max diff {(unmerged - merged).abs().max().item<float>()}");
        LoraModel.UnmergeAll(model);
        Assert.True(baseWeight.allclose(adapters.Values.First().BaseLayer.weight!, rtol: 0, atol: 1e-6));
        using var again = model.forward(ids);
        Assert.True(unmerged.allclose(again, rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void Training_forward_and_gradients_match_PEFTs_unmerged_formula()
    {
        using var scope = NewDisposeScope();
        var adapter = new LoraLinear(nn.Linear(8, 6, hasBias: false), new LoraConfig { Rank = 3, Alpha = 5 }, new Generator(1));
        using (no_grad()) adapter.B.normal_(0, 0.5);
        var x = randn(2, 4, 8, requires_grad: true);
        var upstream = randn(2, 4, 6);
        (adapter.call(x) * upstream).sum().backward();

        var (a, b, xRef) = (adapter.A.detach().clone().requires_grad_(), adapter.B.detach().clone().requires_grad_(), x.detach().clone().requires_grad_());
        var peft = nn.functional.linear(xRef, adapter.BaseLayer.weight!) + nn.functional.linear(nn.functional.linear(xRef, a), b) * adapter.Scaling;
        (peft * upstream).sum().backward();

        using (no_grad()) Assert.True(adapter.call(x).allclose(peft, rtol: 0, atol: 1e-5));
        Assert.True(adapter.A.grad!.allclose(a.grad!, rtol: 1e-4, atol: 1e-5), "dA");
        Assert.True(adapter.B.grad!.allclose(b.grad!, rtol: 1e-4, atol: 1e-5), "dB");
        Assert.True(x.grad!.allclose(xRef.grad!, rtol: 1e-4, atol: 1e-5), "dx");
        Assert.Null(adapter.BaseLayer.weight!.grad);
    }

    [Fact]
    public void TorchSharp_still_has_the_output_cache_that_LoRA_releases()
    {
        // If a TorchSharp upgrade renames these private fields the release silently stops, and LoRA's peak memory
        // grows by one output-sized tensor per projection: fail here instead.
        Assert.True(OutputCache.IsSupported);
    }

    [Fact]
    public void Scaling_is_alpha_over_r_or_over_sqrt_r()
    {
        Assert.Equal(2.0, ConfigFor("lora", 16).Scaling);               // α = 2r by default
        Assert.Equal(32 / 4.0, ConfigFor("rslora", 16).Scaling);        // α/√r
        Assert.Equal(0.5, new LoraConfig { Rank = 8, Alpha = 4 }.Scaling);
    }

    [Fact]
    public void A_is_kaiming_uniform_and_B_is_zero()
    {
        using var model = TinyModels.Create();
        var adapter = LoraModel.Inject(model, ConfigFor("lora")).Values.First();
        double bound = 1 / Math.Sqrt(adapter.A.shape[1]); // kaiming_uniform with a = √5
        Assert.True(adapter.A.abs().max().item<float>() <= bound);
        Assert.True(adapter.A.abs().max().item<float>() > bound / 2);
        Assert.Equal(0f, adapter.B.abs().sum().item<float>());
    }

    [Theory]
    [InlineData("attention", new[] { "q_proj", "k_proj", "v_proj", "o_proj" })]
    [InlineData("mlp", new[] { "gate_proj", "up_proj", "down_proj" })]
    public void Target_presets_wrap_only_their_modules(string preset, string[] modules)
    {
        using var model = TinyModels.Create();
        var adapters = LoraModel.Inject(model, new LoraConfig { Rank = 2, Alpha = 4, TargetModules = [preset] });
        Assert.Equal(modules.Length * model.Config.NumHiddenLayers, adapters.Count);
        Assert.All(adapters.Keys, name => Assert.Contains(name[(name.LastIndexOf('.') + 1)..], modules));
        Assert.All(LoraModel.TrainableParameters(model), p => Assert.Contains(".lora_", p.Name));
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Peft_adapter_save_then_load_round_trips(string variant)
    {
        using var model = TinyModels.Create();
        var config = ConfigFor(variant) with { TargetModules = ["attention"] };
        Perturb(LoraModel.Inject(model, config).Values);
        var directory = TinyModels.TempDirectory();
        PeftAdapter.Save(model, config, directory, "tiny-base");

        var keys = Pipeline.ML.Checkpoints.Safetensors.ReadHeader(Path.Combine(directory, PeftAdapter.WeightsFile)).Entries.Select(e => e.Name).ToList();
        Assert.Contains("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", keys);
        Assert.Contains("base_model.model.model.layers.1.self_attn.o_proj.lora_B.weight", keys);
        Assert.Equal(variant == "dora", keys.Contains("base_model.model.model.layers.0.self_attn.v_proj.lora_magnitude_vector"));

        using var reloaded = TinyModels.Create();
        var loadedConfig = PeftAdapter.Load(reloaded, directory);
        Assert.Equal(config.Rank, loadedConfig.Rank);
        Assert.Equal(config.UseDora, loadedConfig.UseDora);
        using var ids = TinyModels.RandomIds(1, 10);
        Assert.True(model.forward(ids).BitEqual(reloaded.forward(ids)));
    }

    [Fact]
    public void Adapter_with_wrong_rank_is_reported()
    {
        using var model = TinyModels.Create();
        var config = ConfigFor("lora");
        LoraModel.Inject(model, config);
        var directory = TinyModels.TempDirectory();
        PeftAdapter.Save(model, config, directory);
        var configPath = Path.Combine(directory, PeftAdapter.ConfigFile);
        File.WriteAllText(configPath, File.ReadAllText(configPath).Replace("\"r\": 4", "\"r\": 3"));
        using var other = TinyModels.Create();
        var error = Assert.Throws<InvalidDataException>(() => PeftAdapter.Load(other, directory));
        Assert.Contains("lora_A.weight' has shape [4, 32], expected [3, 32]", error.Message);
    }

    /// <summary>Gives B (and DoRA's magnitude) non-trivial values, as training would.</summary>
    internal static void Perturb(IEnumerable<LoraLinear> adapters)
    {
        using var noGrad = no_grad();
        var generator = new Generator(11);
        foreach (var adapter in adapters)
        {
            adapter.B.copy_(randn(adapter.B.shape, generator: generator) * 0.1);
            adapter.Magnitude?.mul_(1 + rand(adapter.Magnitude.shape, generator: generator) * 0.2);
        }
    }
}
