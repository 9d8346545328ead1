namespace Pipeline.Data.Corpora.Math;

/// <summary>A synthetic GSM8K-style word problem. `Solution` is worked step by step with GSM8K's `&lt;&lt;a*b=c&gt;&gt;`
/// calculator annotations and ends with `#### &lt;answer&gt;`.</summary>
public sealed record MathProblem(string Id, string Question, string Solution, long Answer)
{
    /// <summary>The CPT variant: question and worked solution as running prose, without annotations.</summary>
    public string AsRunningText()
    {
        var steps = Solution[..Solution.LastIndexOf("####", StringComparison.Ordinal)].Trim();
        var plain = System.Text.RegularExpressions.Regex.Replace(steps, "<<[^>]*>>", "");
        return $"{Question}\n{plain}\nThe answer is {Answer}.";
    }
}

/// <summary>Difficulty knobs: how many arithmetic steps a problem chains, and how large its operands get.</summary>
public sealed record MathDifficulty(int MinSteps = 2, int MaxSteps = 5, int MaxOperand = 50)
{
    public static readonly MathDifficulty Default = new();

    public void Validate()
    {
        if (MinSteps < 1 || MaxSteps < MinSteps || MaxOperand < 4)
            throw new ArgumentException($"Invalid math difficulty: steps {MinSteps}..{MaxSteps}, max operand {MaxOperand}.");
    }
}
