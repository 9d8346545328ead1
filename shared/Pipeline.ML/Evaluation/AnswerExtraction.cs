using System.Text.RegularExpressions;

namespace Pipeline.ML.Evaluation;

/// <summary>
/// Answer extraction for exact match, following lm-evaluation-harness's gsm8k task: the <c>strict-match</c> filter
/// takes the number after "#### ", <c>flexible-extract</c> the last number in the text; both sides are then
/// normalised by dropping commas, "$", everything up to "#### " and a trailing ".", ignoring case.
/// </summary>
public static partial class AnswerExtraction
{
    /// <summary>The number after the first "#### ", or null (the harness scores "[invalid]").</summary>
    public static string? Strict(string completion) => StrictPattern().Match(completion) is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>The last number-like match in the text, or null.</summary>
    public static string? LastNumber(string completion)
    {
        var matches = FlexiblePattern().Matches(completion);
        if (matches.Count == 0) return null;
        var last = matches[^1];
        return last.Groups[1].Success ? last.Groups[1].Value : last.Groups[2].Value;
    }

    public static string Normalize(string answer)
    {
        foreach (var ignored in Ignored) answer = ignored.Replace(answer, "");
        return answer.Trim().ToLowerInvariant();
    }

    /// <summary>The first line of a code body that is not blank, with trailing whitespace removed (indentation kept).</summary>
    public static string? FirstBodyLine(string code) =>
        code.Split('\n').Select(line => line.TrimEnd()).FirstOrDefault(line => line.Length > 0);

    /// <summary>Exact match of an extracted answer (null never matches) with the normalised reference.</summary>
    public static bool Matches(string? extracted, string reference) => extracted is not null && Normalize(extracted) == Normalize(reference);

    private static readonly Regex[] Ignored = [new(","), new(@"\$"), new(@"(?s).*#### "), new(@"\.$")];

    [GeneratedRegex(@"#### (\-?[0-9\.\,]+)")]
    private static partial Regex StrictPattern();

    [GeneratedRegex(@"(-?[$0-9.,]{2,})|(-?[0-9]+)")]
    private static partial Regex FlexiblePattern();
}
