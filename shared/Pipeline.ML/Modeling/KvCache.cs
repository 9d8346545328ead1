using static TorchSharp.torch;

namespace Pipeline.ML.Modeling;

/// <summary>
/// Preallocated keys and values for every layer, (B, kv_heads, capacity, head_dim) each, so decoding one more token
/// writes in place instead of concatenating a growing prefix.
/// <para>
/// A batch of prompts of different lengths is left-padded (as HF's <c>padding_side="left"</c>): row r's first
/// <c>leftPadding[r]</c> slots hold padding. Its tokens then take positions slot − padding (HF's
/// <c>cumsum(attention_mask) − 1</c>), and no real token attends to a padding slot.
/// </para>
/// </summary>
public sealed class KvCache : IDisposable
{
    private readonly Tensor[] keys, values;
    private readonly Tensor? leftPadding; // (B, 1) int64, null when no row is padded

    public KvCache(LlamaConfig config, long batchSize, int capacity, Device device, ScalarType dtype = ScalarType.Float32,
        IReadOnlyList<int>? leftPadding = null)
    {
        if (leftPadding is not null && leftPadding.Count != batchSize)
            throw new ArgumentException($"left padding has {leftPadding.Count} rows, the batch {batchSize}");
        Capacity = Math.Min(capacity, config.MaxPositionEmbeddings);
        keys = new Tensor[config.NumHiddenLayers];
        values = new Tensor[config.NumHiddenLayers];
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = zeros([batchSize, config.NumKeyValueHeads, Capacity, config.HeadDim], dtype, device).DetachFromDisposeScope();
            values[i] = zeros([batchSize, config.NumKeyValueHeads, Capacity, config.HeadDim], dtype, device).DetachFromDisposeScope();
        }
        if (leftPadding is not null && leftPadding.Any(p => p > 0))
            this.leftPadding = tensor(leftPadding.Select(p => (long)p).ToArray(), [batchSize, 1], device: device).DetachFromDisposeScope();
    }

    private KvCache(Tensor[] keys, Tensor[] values, Tensor? leftPadding, int capacity, int length)
    {
        (this.keys, this.values, this.leftPadding, Capacity, Length) = (keys, values, leftPadding, capacity, length);
    }

    /// <summary>
    /// A new cache whose row i is a copy of this cache's row <c>rows[i]</c>, prefix and padding included: one prefill
    /// of a shared context then serves every continuation of it.
    /// </summary>
    public KvCache SelectRows(long[] rows)
    {
        using var scope = NewDisposeScope();
        var index = tensor(rows, device: keys[0].device);
        Tensor Pick(Tensor t) => t.index_select(0, index).DetachFromDisposeScope();
        return new KvCache(keys.Select(Pick).ToArray(), values.Select(Pick).ToArray(), leftPadding is null ? null : Pick(leftPadding),
            Capacity, Length);
    }

    public int Capacity { get; }

    /// <summary>Slots already cached; the next tokens fill slots Length, Length+1, ...</summary>
    public int Length { get; private set; }

    public bool IsPadded => leftPadding is not null;

    /// <summary>(B, T) positions of the next T tokens of each row (padding slots get 0).</summary>
    public Tensor Positions(long t) =>
        (arange(Length, Length + t, ScalarType.Int64, leftPadding!.device).unsqueeze(0) - leftPadding).clamp_min(0);

    /// <summary>
    /// (B, 1, T, Length+T) boolean mask of the next T queries: causal, and blind to padding keys. A padding query sees
    /// only itself, so that its softmax stays finite (its output is never read).
    /// </summary>
    public Tensor AttentionMask(long t)
    {
        var device = leftPadding!.device;
        var keySlots = arange(Length + t, ScalarType.Int64, device).view(1, 1, 1, -1);
        var querySlots = arange(Length, Length + t, ScalarType.Int64, device).view(1, 1, -1, 1);
        var padding = leftPadding.view(-1, 1, 1, 1);
        return keySlots.le(querySlots).logical_and(keySlots.ge(padding).logical_or(keySlots.eq(querySlots)));
    }

    /// <summary>Stores k and v (B, kv_heads, T, head_dim) for one layer; returns the whole prefix including them.</summary>
    public (Tensor Keys, Tensor Values) Append(int layer, Tensor k, Tensor v)
    {
        long t = k.shape[2];
        if (Length + t > Capacity) throw new InvalidOperationException($"KV cache full: {Length} + {t} > {Capacity}");
        keys[layer].narrow(2, Length, t).copy_(k);
        values[layer].narrow(2, Length, t).copy_(v);
        return (keys[layer].narrow(2, 0, Length + t), values[layer].narrow(2, 0, Length + t));
    }

    /// <summary>Called once per forward, after every layer has appended.</summary>
    public void Advance(long t) => Length += (int)t;

    public void Dispose()
    {
        foreach (var tensor in keys.Concat(values)) tensor.Dispose();
        leftPadding?.Dispose();
    }
}
