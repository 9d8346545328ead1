namespace Pipeline.Data.Datasets;

public static class Regimes
{
    public const string Cpt = "cpt";
    public const string Ift = "ift";

    public static string Validate(string regime) => regime is Cpt or Ift
        ? regime
        : throw new ArgumentException($"Unknown regime '{regime}'; expected '{Cpt}' (continued pretraining) or '{Ift}' (instruction finetuning).", nameof(regime));
}

/// <summary>Size of one split: documents (examples for IFT), UTF-8 bytes of their text, and tokens stored.</summary>
public sealed record SplitStats(int Documents, long Bytes, long Tokens);

/// <summary>`dataset.json`: what a tokenized dataset holds and how it was made.</summary>
public sealed record DatasetInfo(
    int Format,
    string Regime,
    string Domain,
    string Sources,
    int VocabSize,
    int BosId,
    int EosId,
    int TokenBytes,
    string TokenizerSha256,
    IReadOnlyDictionary<string, SplitStats> Splits)
{
    public const string FileName = "dataset.json";

    /// <summary>2: IFT documents stored whole (BOS and EOS included) with a per-token loss mask.</summary>
    public const int CurrentFormat = 2;
}
