using Pipeline.ML.Modeling;
using static TorchSharp.torch;

namespace Pipeline.ML.Tests.Modeling;

public class LlamaModelTests
{
    [Fact]
    public void RmsNorm_matches_hand_computed_values()
    {
        using var norm = new RmsNorm(4, eps: 0);
        using var x = tensor(new float[] { 1, 2, 3, 4 }).reshape(1, 4);
        using var y = norm.call(x);
        double rms = Math.Sqrt((1 + 4 + 9 + 16) / 4.0);
        Assert.Equal(new[] { 1 / rms, 2 / rms, 3 / rms, 4 / rms }, y.data<float>().Select(v => (double)v), new Tolerance(1e-6));
    }

    [Fact]
    public void Rope_rotates_halves_by_position_times_inverse_frequency()
    {
        // head_dim 4, theta 10000: inverse frequencies 1 and 1/100; at position 1 the angles are 1 and 0.01.
        using var rope = new RotaryEmbedding(headDim: 4, maxPositions: 8, theta: 10000, CPU);
        using var x = tensor(new float[] { 1, 2, 3, 4 }).reshape(1, 1, 1, 4);
        using var y = rope.Apply(x, start: 1);
        double c1 = Math.Cos(1), s1 = Math.Sin(1), c2 = Math.Cos(0.01), s2 = Math.Sin(0.01);
        var expected = new[] { 1 * c1 - 3 * s1, 2 * c2 - 4 * s2, 3 * c1 + 1 * s1, 4 * c2 + 2 * s2 };
        Assert.Equal(expected, y.data<float>().Select(v => (double)v), new Tolerance(1e-6));
    }

    [Fact]
    public void Llama3_rope_scaling_keeps_high_frequencies_divides_low_ones_and_blends_between()
    {
        // Original context 8192, factors 1 and 4: wavelengths below 2048 are kept, above 8192 divided by 8.
        var scaling = new RopeScaling("llama3", Factor: 8, LowFreqFactor: 1, HighFreqFactor: 4, OriginalMaxPositionEmbeddings: 8192);
        double high = 2 * Math.PI / 1000, low = 2 * Math.PI / 10000, middle = 2 * Math.PI / 4096;
        var scaled = scaling.Apply([high, low, middle]);
        double smooth = (8192 / 4096.0 - 1) / (4 - 1);
        Assert.Equal(high, scaled[0], 15);
        Assert.Equal(low / 8, scaled[1], 15);
        Assert.Equal((1 - smooth) * middle / 8 + smooth * middle, scaled[2], 15);
    }

    [Fact]
    public void Rope_scaling_survives_a_config_json_round_trip()
    {
        var config = TinyModels.Config with { RopeScaling = new RopeScaling("llama3", 32, 1, 4, 8192) };
        var path = Path.Combine(TinyModels.TempDirectory(), "config.json");
        config.Save(path);
        Assert.Equal(config, LlamaConfig.Load(path));
    }

    [Fact]
    public void Changing_a_later_token_leaves_earlier_logits_unchanged()
    {
        using var model = TinyModels.Create();
        using var ids = TinyModels.RandomIds(1, 12);
        using var changed = ids.clone();
        changed[0, 8] = tensor(((ids[0, 8].item<long>() + 1) % 64));
        using var before = model.forward(ids);
        using var after = model.forward(changed);
        Assert.True(before[.., ..8].BitEqual(after[.., ..8]));
        Assert.False(before[.., 8..].allclose(after[.., 8..]));
    }

    [Fact]
    public void Decoding_with_the_kv_cache_gives_the_full_forward_logits()
    {
        using var model = TinyModels.Create();
        using var ids = TinyModels.RandomIds(2, 10);
        using var full = model.forward(ids);
        using var cache = new KvCache(model.Config, 2, 16, CPU);
        using var prefill = model.Forward(ids[.., ..6], cache);
        var steps = Enumerable.Range(6, 4).Select(t => model.Forward(ids[.., t..(t + 1)], cache)).ToList();
        using var cached = cat([prefill, .. steps], 1);
        Assert.True(full.allclose(cached, rtol: 1e-4, atol: 1e-5));
        Assert.Equal(10, cache.Length);
    }

    [Fact]
    public void A_left_padded_row_gets_the_logits_of_its_unpadded_sequence()
    {
        using var model = TinyModels.Create();
        using var ids = TinyModels.RandomIds(2, 10);
        using var shortRow = model.forward(ids[1.., 3..]);                       // 7 tokens, alone
        using var fullRow = model.forward(ids[..1]);
        using var cache = new KvCache(model.Config, 2, 12, CPU, leftPadding: [0, 3]);
        using var prefill = model.Forward(ids, cache);                          // row 1's first 3 slots are padding
        using var step = model.Forward(ids[.., 9..], cache);                    // one more token each
        using var shortNext = model.forward(cat([ids[1.., 3..], ids[1.., 9..]], 1));

        Assert.True(prefill[..1].allclose(fullRow, rtol: 1e-4, atol: 1e-5));
        Assert.True(prefill[1.., 3..].allclose(shortRow, rtol: 1e-4, atol: 1e-5));
        Assert.True(step[1.., 0].allclose(shortNext[.., -1], rtol: 1e-4, atol: 1e-5));
        Assert.False(prefill[1.., 3..].allclose(model.forward(ids[1..])[.., 3..], rtol: 1e-4, atol: 1e-5)); // unmasked padding would change them
    }

    [Fact]
    public void Parameter_count_matches_the_built_model()
    {
        using var model = TinyModels.Create();
        Assert.Equal(model.Config.ParameterCount, model.parameters().Sum(p => p.numel()));
        using var tied = TinyModels.Create(config: TinyModels.Config with { TieWordEmbeddings = true });
        Assert.Equal(tied.Config.ParameterCount, tied.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void Loss_over_head_chunks_equals_cross_entropy_over_the_whole_logits()
    {
        // Vocab 2^16 makes the head run 16 rows at a time: the 2 × 21 labels fall in three chunks, the last one short.
        using var model = TinyModels.Create(config: TinyModels.Config with { VocabSize = 1 << 16 });
        Assert.Equal(16, model.HeadChunkRows);
        var random = new Random(3);
        var ids = tensor(Enumerable.Range(0, 42).Select(_ => (long)random.Next(1 << 16)).ToArray(), [2, 21]);
        var labels = ids.roll(-1, 1).clone();
        labels[0, 20] = LlamaForCausalLM.IgnoreIndex;
        labels[1, TensorIndex.Slice(15)] = LlamaForCausalLM.IgnoreIndex;

        var chunked = model.Loss(ids, labels);
        chunked.backward();
        var chunkedGradient = model.Decoder.EmbedTokens.weight!.grad!.clone();
        model.zero_grad();
        var whole = nn.functional.cross_entropy(model.forward(ids).view(-1, 1 << 16), labels.view(-1), ignore_index: LlamaForCausalLM.IgnoreIndex);
        whole.backward();

        Assert.Equal(whole.item<float>(), chunked.item<float>(), 5);
        Assert.True(chunkedGradient.allclose(model.Decoder.EmbedTokens.weight!.grad!, rtol: 1e-4, atol: 1e-7));
        Assert.Equal(0f, model.Loss(ids, full_like(labels, LlamaForCausalLM.IgnoreIndex)).item<float>());
    }

    [Fact]
    public void Config_rejects_heads_that_do_not_divide_the_hidden_size()
    {
        var error = Assert.Throws<InvalidDataException>(() => (TinyModels.Config with { NumAttentionHeads = 5, NumKeyValueHeads = 5 }).Validate("config.json"));
        Assert.Contains("num_attention_heads (5) must divide hidden_size (32)", error.Message);
    }
}

internal sealed class Tolerance(double tolerance) : IEqualityComparer<double>
{
    public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
    public int GetHashCode(double obj) => 0;
}
