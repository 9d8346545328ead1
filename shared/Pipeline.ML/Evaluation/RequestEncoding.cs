namespace Pipeline.ML.Evaluation;

/// <summary>Text pairs to token requests, as lm-evaluation-harness's <c>_encode_pair</c>.</summary>
public static class RequestEncoding
{
    /// <summary>
    /// Trailing spaces of the context move to the continuation; the pair is encoded whole and the continuation is
    /// what follows the context's own tokens, so merges across the boundary match what the model saw in training.
    /// An empty context becomes BOS.
    /// </summary>
    public static ScoringRequest Encode(ITextCodec codec, string context, string continuation)
    {
        if (context.Length == 0) return new ScoringRequest([codec.BosId], codec.Encode(continuation));
        int spaces = context.Length - context.TrimEnd().Length;
        if (spaces > 0)
        {
            continuation = context[^spaces..] + continuation;
            context = context[..^spaces];
        }
        var whole = codec.Encode(context + continuation);
        var contextTokens = codec.Encode(context);
        return new ScoringRequest(contextTokens, whole[contextTokens.Length..]);
    }
}
