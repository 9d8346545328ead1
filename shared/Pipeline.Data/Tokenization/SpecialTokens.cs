namespace Pipeline.Data.Tokenization;

/// <summary>The built-in tokenizer's special tokens and their fixed ids (Llama's names).</summary>
public static class SpecialTokens
{
    public const string Bos = "<s>";
    public const string Eos = "</s>";
    public const string Pad = "<pad>";

    public const int BosId = 0, EosId = 1, PadId = 2;

    public static readonly IReadOnlyList<string> All = [Bos, Eos, Pad];
}
