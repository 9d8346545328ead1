namespace Pipeline.ML.Evaluation;

/// <summary>
/// The tokenizer as the evaluation engine sees it. <see cref="Encode"/> adds no special tokens (lm-evaluation-harness
/// encodes causal-LM requests with add_special_tokens=False); the engine inserts BOS itself where the harness does.
/// </summary>
public interface ITextCodec
{
    int[] Encode(string text);
    string Decode(IEnumerable<int> ids);
    int BosId { get; }
    int EosId { get; }
}
