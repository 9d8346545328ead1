namespace Pipeline.Data.Datasets;

/// <summary>One training batch, row-major [B, T]. `Labels` are already shifted (label t is the token after input t)
/// and hold -100 where no loss is taken; `PredictedTokens` counts the others.</summary>
public sealed record TrainingBatch(int[] Inputs, int[] Labels, int BatchSize, int SequenceLength, int PredictedTokens);

/// <summary>Training data as a pure function of the batch index, so a resumed run sees exactly the same batches.</summary>
public interface IBatchSource
{
    TrainingBatch Batch(long index);
}

/// <summary>Batches as a pure function of (seed, batch index), so a resumed run sees exactly the batches it would
/// have seen. Rows are drawn epoch by epoch; each epoch is a fresh permutation seeded by (seed, epoch).</summary>
public abstract class BatchSource : IBatchSource
{
    public const int IgnoreIndex = -100;

    private readonly int _seed;
    private readonly object _lock = new();
    private (long Epoch, int[] Order) _permutation = (-1, []);

    protected BatchSource(int batchSize, int sequenceLength, int seed, int rows)
    {
        if (batchSize < 1 || sequenceLength < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), "Batch size and sequence length must be positive.");
        if (rows == 0) throw new ArgumentException("The split holds too little data for a single row of this sequence length.");
        BatchSize = batchSize;
        SequenceLength = sequenceLength;
        _seed = seed;
        RowsPerEpoch = rows;
    }

    public int BatchSize { get; }
    public int SequenceLength { get; }

    /// <summary>CPT chunks or IFT examples in one pass over the split.</summary>
    public int RowsPerEpoch { get; }

    public static BatchSource Create(TokenSplit split, string regime, int batchSize, int sequenceLength, int seed, int eosId, int padId) =>
        Regimes.Validate(regime) == Regimes.Cpt
            ? new PackedBatchSource(split, batchSize, sequenceLength, seed, eosId)
            : new InstructionBatchSource(split, batchSize, sequenceLength, seed, padId);

    public TrainingBatch Batch(long index)
    {
        if (index < 0) throw new ArgumentOutOfRangeException(nameof(index));
        var inputs = new int[BatchSize * SequenceLength];
        var labels = new int[BatchSize * SequenceLength];
        var predicted = 0;
        for (var b = 0; b < BatchSize; b++)
        {
            var row = index * BatchSize + b;
            var item = Order(row / RowsPerEpoch)[(int)(row % RowsPerEpoch)];
            predicted += FillRow(item, inputs.AsSpan(b * SequenceLength, SequenceLength), labels.AsSpan(b * SequenceLength, SequenceLength));
        }
        return new TrainingBatch(inputs, labels, BatchSize, SequenceLength, predicted);
    }

    /// <summary>Writes one row and returns how many of its labels are not ignored.</summary>
    protected abstract int FillRow(int item, Span<int> inputs, Span<int> labels);

    private int[] Order(long epoch)
    {
        lock (_lock)
        {
            if (_permutation.Epoch != epoch)
            {
                var order = Enumerable.Range(0, RowsPerEpoch).ToArray();
                SplitMix64.From(_seed, epoch).Shuffle(order);
                _permutation = (epoch, order);
            }
            return _permutation.Order;
        }
    }
}

/// <summary>CPT: documents joined with EOS into one stream, cut into non-overlapping chunks of T+1 tokens; every
/// position is predicted. The tail shorter than a chunk is dropped.</summary>
internal sealed class PackedBatchSource : BatchSource
{
    private readonly int[] _stream;

    public PackedBatchSource(TokenSplit split, int batchSize, int sequenceLength, int seed, int eosId)
        : this(Join(split, eosId), batchSize, sequenceLength, seed) { }

    private PackedBatchSource(int[] stream, int batchSize, int sequenceLength, int seed)
        : base(batchSize, sequenceLength, seed, stream.Length / (sequenceLength + 1)) => _stream = stream;

    protected override int FillRow(int item, Span<int> inputs, Span<int> labels)
    {
        var chunk = _stream.AsSpan(item * (SequenceLength + 1), SequenceLength + 1);
        chunk[..^1].CopyTo(inputs);
        chunk[1..].CopyTo(labels);
        return SequenceLength;
    }

    private static int[] Join(TokenSplit split, int eosId)
    {
        var stream = new int[split.TokenCount + split.DocumentCount];
        var at = 0;
        for (var i = 0; i < split.DocumentCount; i++)
        {
            split.DocumentSpan(i).CopyTo(stream.AsSpan(at));
            at += split.DocumentSpan(i).Length;
            stream[at++] = eosId;
        }
        return stream;
    }
}

/// <summary>IFT: one example per row, truncated or padded to T. A label is taken where the next token is trained
/// (responses, assistant turns, the EOS); prompts and padding get -100.</summary>
internal sealed class InstructionBatchSource(TokenSplit split, int batchSize, int sequenceLength, int seed, int padId)
    : BatchSource(batchSize, sequenceLength, seed, split.DocumentCount)
{
    protected override int FillRow(int item, Span<int> inputs, Span<int> labels)
    {
        var document = split.DocumentSpan(item);
        var trained = split.TrainedSpan(item);
        inputs.Fill(padId);
        labels.Fill(IgnoreIndex);
        var predicted = 0;
        for (var t = 0; t < SequenceLength && t < document.Length; t++)
        {
            inputs[t] = document[t];
            if (t + 1 < document.Length && trained[t + 1])
            {
                labels[t] = document[t + 1];
                predicted++;
            }
        }
        return predicted;
    }
}
