namespace Pipeline.ML.Evaluation;

/// <summary>
/// lm-evaluation-harness's <c>get_rolling_token_windows</c> followed by <c>make_disjoint_window</c>: every token of
/// a document is predicted exactly once, the first from the prefix token, in windows of at most
/// <c>maxLength</c> inputs; each later window keeps <c>contextLength</c> tokens of the previous one as context
/// (1 in the harness's perplexity tasks), and the last window is filled up with as much context as fits.
/// </summary>
public static class RollingWindows
{
    public static IEnumerable<ScoringRequest> Disjoint(IReadOnlyList<int> tokens, int prefixToken, int maxLength, int contextLength = 1)
    {
        if (contextLength < 1 || contextLength > maxLength)
            throw new ArgumentOutOfRangeException(nameof(contextLength), $"context length {contextLength} must be in [1, {maxLength}]");
        if (tokens.Count == 0) yield break;

        int predictionLength = maxLength - contextLength + 1;
        int firstLength = Math.Min(maxLength, tokens.Count);
        yield return new ScoringRequest([prefixToken], Slice(tokens, 0, firstLength));
        int predicted = firstLength;
        while (predicted < tokens.Count)
        {
            int length = Math.Min(tokens.Count - predicted, predictionLength);
            int end = predicted + length;
            // The window's inputs are tokens[end-maxLength-1 .. end-1); all but the predicted ones are context.
            int contextStart = end - maxLength - 1;
            int contextEnd = end - length;
            yield return new ScoringRequest(Slice(tokens, contextStart, contextEnd), Slice(tokens, predicted, end));
            predicted = end;
        }
    }

    private static int[] Slice(IReadOnlyList<int> tokens, int from, int to)
    {
        var slice = new int[to - from];
        for (int i = from; i < to; i++) slice[i - from] = tokens[i];
        return slice;
    }
}
