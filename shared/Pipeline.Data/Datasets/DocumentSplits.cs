namespace Pipeline.Data.Datasets;

/// <summary>Fractions of documents held out for validation and test; the rest is train.</summary>
public sealed record SplitFractions(double Validation = 0.05, double Test = 0.10)
{
    public static readonly SplitFractions Default = new();

    public void Validate()
    {
        if (Validation < 0 || Test < 0 || Validation + Test >= 1)
            throw new ArgumentException($"Split fractions must be non-negative and leave some train data (validation {Validation}, test {Test}).");
    }
}

/// <summary>Assigns each document to a split from the hash of its id alone, so a document lands in the same split in
/// every dataset and task set built from it, whatever else is in the corpus — no document can leak between splits.</summary>
public static class DocumentSplits
{
    public const string Train = "train";
    public const string Validation = "validation";
    public const string Test = "test";

    public static readonly IReadOnlyList<string> Names = [Train, Validation, Test];

    public static string Assign(string documentId, SplitFractions fractions)
    {
        var hash = Convert.FromHexString(Hashing.Sha256Hex("split:" + documentId).AsSpan(0, 16));
        var unit = BitConverter.ToUInt64(hash) / (double)ulong.MaxValue;
        return unit < fractions.Test ? Test : unit < fractions.Test + fractions.Validation ? Validation : Train;
    }
}
