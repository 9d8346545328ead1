using Pipeline.Data.Datasets;
namespace Pipeline.ML.Training;

/// <summary>Uniformly random token rows, a pure function of the batch index: for benchmarks and tests, never for studies.</summary>
public sealed class SyntheticBatches(int batchSize, int length, int vocabSize, bool repeatFirstBatch = false) : IBatchSource
{
    public TrainingBatch Batch(long index)
    {
        var random = new Random(repeatFirstBatch ? 1 : (int)(index % int.MaxValue) + 1);
        var inputs = new int[batchSize * length];
        var labels = new int[batchSize * length];
        for (int row = 0; row < batchSize; row++)
        {
            int previous = random.Next(vocabSize);
            for (int t = 0; t < length; t++)
            {
                inputs[row * length + t] = previous;
                previous = labels[row * length + t] = random.Next(vocabSize);
            }
        }
        return new TrainingBatch(inputs, labels, batchSize, length, batchSize * length);
    }
}
