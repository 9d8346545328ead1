using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Pipeline.ML.Modeling;

// Hugging Face LlamaForCausalLM, top to bottom. Field names mirror HF so state-dict keys match model.safetensors:
// model.embed_tokens, model.layers.{i}.{input_layernorm, self_attn.{q,k,v,o}_proj, post_attention_layernorm,
// mlp.{gate,up,down}_proj}, model.norm, lm_head.

/// <summary>Root-mean-square layer norm, computed in fp32 and cast back, as HF's LlamaRMSNorm.</summary>
public sealed class RmsNorm : Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly double eps;

    public RmsNorm(long dim, double eps, Device? device = null) : base(nameof(RmsNorm))
    {
        weight = new Parameter(ones(dim, device: device));
        this.eps = eps;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var x32 = x.to_type(ScalarType.Float32);
        var normed = x32 * rsqrt(x32.pow(2).mean([-1], keepdim: true) + eps);
        return (weight * normed.to_type(x.dtype)).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Rotary position embeddings in HF's <c>rotate_half</c> convention (the two halves of each head, not interleaved
/// pairs). The cos/sin tables are plain fields of a non-module class, so they never land in the state dict.
/// </summary>
public sealed class RotaryEmbedding : IDisposable
{
    private readonly Tensor cos, sin; // (max_positions, head_dim), fp32

    public RotaryEmbedding(int headDim, int maxPositions, double theta, Device device, RopeScaling? scaling = null)
    {
        using var scope = NewDisposeScope();
        var exponents = arange(0, headDim, 2, ScalarType.Int64, device).to_type(ScalarType.Float32) / headDim;
        var invFreq = 1.0f / pow(tensor((float)theta, device: device), exponents);
        if (scaling is not null)
            invFreq = tensor(scaling.Apply(invFreq.cpu().data<float>().Select(f => (double)f).ToArray()), ScalarType.Float32, device);
        var positions = arange(maxPositions, ScalarType.Float32, device);
        var freqs = outer(positions, invFreq);
        var emb = cat([freqs, freqs], -1);
        cos = emb.cos().DetachFromDisposeScope();
        sin = emb.sin().DetachFromDisposeScope();
    }

    public int MaxPositions => (int)cos.shape[0];

    public Device Device => cos.device;

    /// <summary>Rotates q or k of shape (B, heads, T, head_dim) for positions start .. start+T-1.</summary>
    public Tensor Apply(Tensor x, int start)
    {
        long t = x.shape[2];
        if (start + t > MaxPositions)
            throw new ArgumentException($"sequence reaches position {start + t}, beyond max_position_embeddings ({MaxPositions})");
        using var scope = NewDisposeScope();
        var c = cos.narrow(0, start, t).to_type(x.dtype);
        var s = sin.narrow(0, start, t).to_type(x.dtype);
        return (x * c + RotateHalf(x) * s).MoveToOuterDisposeScope();
    }

    /// <summary>Rotates q or k of shape (B, heads, T, head_dim) for per-row positions (B, T).</summary>
    public Tensor Apply(Tensor x, Tensor positions)
    {
        using var scope = NewDisposeScope();
        var flat = positions.flatten();
        var shape = new[] { positions.shape[0], 1, positions.shape[1], x.shape[^1] };
        var c = cos.index_select(0, flat).view(shape).to_type(x.dtype);
        var s = sin.index_select(0, flat).view(shape).to_type(x.dtype);
        return (x * c + RotateHalf(x) * s).MoveToOuterDisposeScope();
    }

    public static Tensor RotateHalf(Tensor x)
    {
        long half = x.shape[^1] / 2;
        return cat([-x.narrow(-1, half, half), x.narrow(-1, 0, half)], -1);
    }

    public void Dispose()
    {
        cos.Dispose();
        sin.Dispose();
    }
}

/// <summary>A projection slot that LoRA can wrap: q/k/v/o in attention, gate/up/down in the MLP.</summary>
public interface IHasProjections
{
    IReadOnlyList<string> ProjectionNames { get; }
    Module<Tensor, Tensor> GetProjection(string name);
    void SetProjection(string name, Module<Tensor, Tensor> projection);
}

/// <summary>Causal self-attention with RoPE and grouped-query attention, through scaled_dot_product_attention.</summary>
public sealed class LlamaAttention : Module<Tensor, Tensor>, IHasProjections
{
    private Module<Tensor, Tensor> q_proj, k_proj, v_proj, o_proj;
    private readonly int heads, kvHeads, headDim;

    public LlamaAttention(LlamaConfig config, Device? device = null) : base(nameof(LlamaAttention))
    {
        heads = config.NumAttentionHeads;
        kvHeads = config.NumKeyValueHeads;
        headDim = config.HeadDim;
        q_proj = Linear(config.HiddenSize, heads * headDim, hasBias: false, device: device);
        k_proj = Linear(config.HiddenSize, kvHeads * headDim, hasBias: false, device: device);
        v_proj = Linear(config.HiddenSize, kvHeads * headDim, hasBias: false, device: device);
        o_proj = Linear(heads * headDim, config.HiddenSize, hasBias: false, device: device);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => throw new InvalidOperationException("call Forward(x, rope, cache, layer)");

    public Tensor Forward(Tensor x, RotaryEmbedding rope, KvCache? cache, int layer)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], t = x.shape[1];
        int start = cache?.Length ?? 0;
        var q = q_proj.call(x).view(b, t, heads, headDim).transpose(1, 2);     // (B, nh, T, hd)
        var k = k_proj.call(x).view(b, t, kvHeads, headDim).transpose(1, 2);   // (B, nkv, T, hd)
        var v = v_proj.call(x).view(b, t, kvHeads, headDim).transpose(1, 2);
        bool padded = cache?.IsPadded ?? false;
        var positions = padded ? cache!.Positions(t) : null;
        q = positions is null ? rope.Apply(q, start) : rope.Apply(q, positions);
        k = positions is null ? rope.Apply(k, start) : rope.Apply(k, positions);
        var mask = padded ? cache!.AttentionMask(t) : CausalMask(start, t, x.device);
        if (cache is not null) (k, v) = cache.Append(layer, k, v);             // (B, nkv, start+T, hd)
        if (kvHeads != heads)
        {
            k = k.repeat_interleave(heads / kvHeads, dim: 1);
            v = v.repeat_interleave(heads / kvHeads, dim: 1);
        }
        var y = functional.scaled_dot_product_attention(q, k, v, mask, 0.0, is_casual: !padded && start == 0 && t > 1);
        y = y.transpose(1, 2).contiguous().view(b, t, heads * headDim);
        return o_proj.call(y).MoveToOuterDisposeScope();
    }

    /// <summary>With cached keys, new queries see the whole prefix plus a causal block among themselves.</summary>
    private static Tensor? CausalMask(int start, long t, Device device) =>
        start == 0 || t == 1 ? null : ones(t, start + t, ScalarType.Bool, device).tril(start);

    /// <summary>Hugging Face's names of the attention projections, the names every layer of the pipeline uses.</summary>
    public static IReadOnlyList<string> Projections { get; } = ["q_proj", "k_proj", "v_proj", "o_proj"];

    public IReadOnlyList<string> ProjectionNames => Projections;

    public Module<Tensor, Tensor> GetProjection(string name) => name switch
    {
        "q_proj" => q_proj, "k_proj" => k_proj, "v_proj" => v_proj, "o_proj" => o_proj,
        _ => throw new ArgumentException($"unknown attention projection '{name}'"),
    };

    public void SetProjection(string name, Module<Tensor, Tensor> projection)
    {
        _ = GetProjection(name);
        register_module(name, null!);
        register_module(name, projection);
        switch (name)
        {
            case "q_proj": q_proj = projection; break;
            case "k_proj": k_proj = projection; break;
            case "v_proj": v_proj = projection; break;
            default: o_proj = projection; break;
        }
    }
}

/// <summary>SwiGLU feed-forward: down(silu(gate(x)) * up(x)).</summary>
public sealed class LlamaMlp : Module<Tensor, Tensor>, IHasProjections
{
    private Module<Tensor, Tensor> gate_proj, up_proj, down_proj;

    public LlamaMlp(LlamaConfig config, Device? device = null) : base(nameof(LlamaMlp))
    {
        gate_proj = Linear(config.HiddenSize, config.IntermediateSize, hasBias: false, device: device);
        up_proj = Linear(config.HiddenSize, config.IntermediateSize, hasBias: false, device: device);
        down_proj = Linear(config.IntermediateSize, config.HiddenSize, hasBias: false, device: device);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return down_proj.call(functional.silu(gate_proj.call(x)) * up_proj.call(x)).MoveToOuterDisposeScope();
    }

    /// <summary>Hugging Face's names of the MLP projections.</summary>
    public static IReadOnlyList<string> Projections { get; } = ["gate_proj", "up_proj", "down_proj"];

    public IReadOnlyList<string> ProjectionNames => Projections;

    public Module<Tensor, Tensor> GetProjection(string name) => name switch
    {
        "gate_proj" => gate_proj, "up_proj" => up_proj, "down_proj" => down_proj,
        _ => throw new ArgumentException($"unknown MLP projection '{name}'"),
    };

    public void SetProjection(string name, Module<Tensor, Tensor> projection)
    {
        _ = GetProjection(name);
        register_module(name, null!);
        register_module(name, projection);
        switch (name)
        {
            case "gate_proj": gate_proj = projection; break;
            case "up_proj": up_proj = projection; break;
            default: down_proj = projection; break;
        }
    }
}

/// <summary>Pre-norm block: x + attn(norm(x)), then h + mlp(norm(h)).</summary>
public sealed class LlamaDecoderLayer : Module<Tensor, Tensor>
{
    private readonly RmsNorm input_layernorm;
    private readonly LlamaAttention self_attn;
    private readonly RmsNorm post_attention_layernorm;
    private readonly LlamaMlp mlp;
    private readonly double hiddenDropout;

    public LlamaDecoderLayer(LlamaConfig config, Device? device = null) : base(nameof(LlamaDecoderLayer))
    {
        input_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps, device);
        self_attn = new LlamaAttention(config, device);
        post_attention_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps, device);
        mlp = new LlamaMlp(config, device);
        hiddenDropout = config.HiddenDropout;
        RegisterComponents();
    }

    public LlamaAttention Attention => self_attn;
    public LlamaMlp Mlp => mlp;

    public override Tensor forward(Tensor x) => Forward(x, null!, null, 0);

    public Tensor Forward(Tensor x, RotaryEmbedding rope, KvCache? cache, int layer)
    {
        using var scope = NewDisposeScope();
        var h = x + Dropout(self_attn.Forward(input_layernorm.call(x), rope, cache, layer));
        return (h + Dropout(mlp.call(post_attention_layernorm.call(h)))).MoveToOuterDisposeScope();
    }

    private Tensor Dropout(Tensor x) => hiddenDropout > 0 ? functional.dropout(x, hiddenDropout, training) : x;
}

/// <summary>The decoder stack: embeddings, layers and the final norm (HF's LlamaModel, the "model." prefix).</summary>
public sealed class LlamaDecoder : Module<Tensor, Tensor>
{
    private readonly Embedding embed_tokens;
    private readonly ModuleList<LlamaDecoderLayer> layers;
    private readonly RmsNorm norm;

    public LlamaDecoder(LlamaConfig config, Device? device = null) : base(nameof(LlamaDecoder))
    {
        embed_tokens = Embedding(config.VocabSize, config.HiddenSize, device: device);
        layers = new ModuleList<LlamaDecoderLayer>(
            Enumerable.Range(0, config.NumHiddenLayers).Select(_ => new LlamaDecoderLayer(config, device)).ToArray());
        norm = new RmsNorm(config.HiddenSize, config.RmsNormEps, device);
        RegisterComponents();
    }

    public Embedding EmbedTokens => embed_tokens;
    public IReadOnlyList<LlamaDecoderLayer> Layers => [.. layers];

    public override Tensor forward(Tensor inputIds) => throw new InvalidOperationException("call Forward(ids, rope, cache)");

    /// <summary>(B, T) token ids → (B, T, d) final hidden states.</summary>
    public Tensor Forward(Tensor inputIds, RotaryEmbedding rope, KvCache? cache)
    {
        using var scope = NewDisposeScope();
        var h = embed_tokens.call(inputIds);
        for (int i = 0; i < layers.Count; i++) h = layers[i].Forward(h, rope, cache, i);
        cache?.Advance(inputIds.shape[1]);
        return norm.call(h).MoveToOuterDisposeScope();
    }
}

/// <summary>Llama with its language-model head: token ids in, next-token logits out.</summary>
public sealed class LlamaForCausalLM : Module<Tensor, Tensor>
{
    public const long IgnoreIndex = -100;

    private readonly LlamaDecoder model;
    private readonly Linear? lm_head; // null when tied: logits use embed_tokens' weight
    private RotaryEmbedding rope;

    public LlamaForCausalLM(LlamaConfig config, Device? device = null) : base(nameof(LlamaForCausalLM))
    {
        config.Validate();
        Config = config;
        device ??= CPU;
        model = new LlamaDecoder(config, device);
        if (!config.TieWordEmbeddings) lm_head = Linear(config.HiddenSize, config.VocabSize, hasBias: false, device: device);
        rope = new RotaryEmbedding(config.HeadDim, config.MaxPositionEmbeddings, config.RopeTheta, device, config.RopeScaling);
        RegisterComponents();
    }

    public LlamaConfig Config { get; }
    public LlamaDecoder Decoder => model;
    public Device Device => model.EmbedTokens.weight!.device;

    /// <summary>(B, T) ids → (B, T, vocab) logits.</summary>
    public override Tensor forward(Tensor inputIds) => Forward(inputIds, null);

    public Tensor Forward(Tensor inputIds, KvCache? cache)
    {
        using var scope = NewDisposeScope();
        return Logits(Hidden(inputIds, cache)).MoveToOuterDisposeScope();
    }

    /// <summary>(B, T) ids → (B, T, d) final hidden states, for callers that need the logits of a few positions only.</summary>
    public Tensor Hidden(Tensor inputIds, KvCache? cache) => model.Forward(inputIds, RopeOn(inputIds.device), cache);

    /// <summary>(…, d) hidden states → (…, vocab) logits through the head (or the tied embedding).</summary>
    public Tensor Logits(Tensor hidden) =>
        lm_head is null ? functional.linear(hidden, model.EmbedTokens.weight!) : lm_head.call(hidden);

    /// <summary>(B, T) ids → (B, vocab) logits of the last position only: decoding needs no others.</summary>
    public Tensor NextTokenLogits(Tensor inputIds, KvCache? cache)
    {
        using var scope = NewDisposeScope();
        return Logits(Hidden(inputIds, cache).select(1, -1)).MoveToOuterDisposeScope();
    }

    /// <summary>The tables follow the model when it is moved with .to(device).</summary>
    private RotaryEmbedding RopeOn(Device device)
    {
        if (rope.Device != device)
        {
            rope.Dispose();
            rope = new RotaryEmbedding(Config.HeadDim, Config.MaxPositionEmbeddings, Config.RopeTheta, device, Config.RopeScaling);
        }
        return rope;
    }

    /// <summary>
    /// Mean cross-entropy of (B, T) ids against their (B, T) labels, already shifted, over the labels that are not
    /// <see cref="IgnoreIndex"/> (zero when every label is ignored). The head runs <see cref="HeadChunkRows"/> at a time.
    /// </summary>
    public Tensor Loss(Tensor inputIds, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var hidden = Hidden(inputIds, null).flatten(0, -2).split(HeadChunkRows); // split, not narrow: one backward concatenation
        var targets = labels.flatten().split(HeadChunkRows);
        var total = hidden.Zip(targets, (h, t) => functional.cross_entropy(Logits(h).to_type(ScalarType.Float32), t, ignore_index: IgnoreIndex, reduction: Reduction.Sum))
            .Aggregate((sum, chunk) => sum + chunk);
        return (total / labels.ne(IgnoreIndex).sum().clamp_min(1)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Rows of hidden states per head call, at most 2^20 logits (4 MB in fp32): the head runs chunk by chunk, as
    /// torchtune's chunked output loss, so each chunk's logits are still in cache when the softmax reads them and no
    /// (tokens, vocab) tensor is ever whole. At 16 × 256 tokens and vocab 4,096 that tensor is 64 MB, above glibc's
    /// mmap threshold, so each fresh one page-faults in every step (docs/benchmarks.md has the cost measured).
    /// </summary>
    public long HeadChunkRows => Math.Max(1, (1L << 20) / Config.VocabSize);

    /// <summary>HF's _init_weights: normal(0, initializer_range) for every Linear and Embedding; norms start at one.</summary>
    public void InitializeWeights(long seed)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)seed, Device);
        using var noGrad = no_grad();
        foreach (var (name, parameter) in named_parameters())
        {
            if (name.EndsWith("layernorm.weight") || name == "model.norm.weight") parameter.fill_(1.0);
            else parameter.normal_(0, Config.InitializerRange, generator);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) rope.Dispose();
        base.Dispose(disposing);
    }
}
