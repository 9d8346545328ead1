using static TorchSharp.torch;

namespace Pipeline.ML.Modeling;

/// <summary>
/// Preallocated keys and values for every layer, (B, kv_heads, capacity, head_dim) each, so decoding one more token
/// writes in place instead of concatenating a growing prefix.
/// </summary>
public sealed class KvCache : IDisposable
{
    private readonly Tensor[] keys, values;

    public KvCache(LlamaConfig config, long batchSize, int capacity, Device device, ScalarType dtype = ScalarType.Float32)
    {
        Capacity = Math.Min(capacity, config.MaxPositionEmbeddings);
        keys = new Tensor[config.NumHiddenLayers];
        values = new Tensor[config.NumHiddenLayers];
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = zeros([batchSize, config.NumKeyValueHeads, Capacity, config.HeadDim], dtype, device).DetachFromDisposeScope();
            values[i] = zeros([batchSize, config.NumKeyValueHeads, Capacity, config.HeadDim], dtype, device).DetachFromDisposeScope();
        }
    }

    public int Capacity { get; }

    /// <summary>Positions already cached; new tokens take positions Length, Length+1, ...</summary>
    public int Length { get; private set; }

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
    }
}
