using Pipeline.ML.Evaluation;

namespace Pipeline.ML.Tests.Evaluation;

public class AnswerExtractionTests
{
    [Theory]
    [InlineData("She pays 3 * 4 = 12 dollars.\n#### 12", "12")]
    [InlineData("#### -1,250.5 and then #### 7", "-1,250.5")]
    [InlineData("The answer is 12", null)]
    [InlineData("####12", null)]
    public void Strict_takes_the_number_after_the_first_marker(string completion, string? expected) =>
        Assert.Equal(expected, AnswerExtraction.Strict(completion));

    [Theory]
    [InlineData("First 3 apples, then 1,200.", "1,200.")]
    [InlineData("First 3 apples, then 1,200 pears", "1,200")]
    [InlineData("It costs $45 in total", "$45")]
    [InlineData("so x = -7", "-7")]
    [InlineData("answer: 5", "5")]
    [InlineData("no digits here", null)]
    public void Flexible_takes_the_last_number(string completion, string? expected) =>
        Assert.Equal(expected, AnswerExtraction.LastNumber(completion));

    [Theory]
    [InlineData("1,200.", "Natalia sold 48/2 = 24 clips.\n#### 1200", true)]
    [InlineData("$45", "45", true)]
    [InlineData("45.5", "455", false)]
    [InlineData(null, "12", false)]
    public void Matching_normalises_commas_dollars_markers_and_a_trailing_period(string? extracted, string reference, bool expected) =>
        Assert.Equal(expected, AnswerExtraction.Matches(extracted, reference));

    [Fact]
    public void Gsm8k_matchers_disagree_when_the_marker_is_missing()
    {
        const string completion = "Half of 24 is 12. So the answer is 12.";
        Assert.False(AnswerMatcher.Strict.IsCorrect(completion, "#### 12"));
        Assert.True(AnswerMatcher.Flexible.IsCorrect(completion, "#### 12"));
    }

    [Fact]
    public void Code_compares_the_first_body_line_ignoring_trailing_whitespace_but_not_indentation()
    {
        Assert.Equal("    return a + b", AnswerExtraction.FirstBodyLine("\n   \n    return a + b   \n    # done"));
        Assert.True(AnswerMatcher.FirstLine.IsCorrect("    return a + b  \nprint(1)", "    return a + b\n"));
        Assert.False(AnswerMatcher.FirstLine.IsCorrect("return a + b", "    return a + b"));
        Assert.False(AnswerMatcher.FirstLine.IsCorrect("  \n", "    return a + b"));
    }
}
