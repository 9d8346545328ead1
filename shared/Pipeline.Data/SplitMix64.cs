namespace Pipeline.Data;

/// <summary>A tiny deterministic generator (SplitMix64) whose sequence is fixed by this code, not by the .NET version,
/// so generated data and batch orders are reproducible everywhere.</summary>
public struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public static SplitMix64 From(params long[] parts)
    {
        var state = 0x9E3779B97F4A7C15UL;
        foreach (var part in parts)
            state = new SplitMix64(state ^ (ulong)part).NextULong();
        return new SplitMix64(state);
    }

    public ulong NextULong()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, maxExclusive) by rejection, free of modulo bias.</summary>
    public int Next(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive));
        var bound = (ulong)maxExclusive;
        var limit = ulong.MaxValue - ulong.MaxValue % bound;
        ulong x;
        do x = NextULong(); while (x >= limit);
        return (int)(x % bound);
    }

    public int Next(int minInclusive, int maxInclusive) => minInclusive + Next(maxInclusive - minInclusive + 1);

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    public void Shuffle<T>(T[] items)
    {
        for (var i = items.Length - 1; i > 0; i--)
        {
            var j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
