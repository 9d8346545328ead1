using Pipeline.Data.Tokenization;

namespace Pipeline.ML.Evaluation;

/// <summary>The pipeline's tokenizer as the engine's codec.</summary>
public sealed class TokenizerCodec(TextTokenizer tokenizer) : ITextCodec
{
    public int BosId => tokenizer.BosId;
    public int EosId => tokenizer.EosId;
    public int[] Encode(string text) => tokenizer.Encode(text);
    public string Decode(IEnumerable<int> ids) => tokenizer.Decode(ids);
}
