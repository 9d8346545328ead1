using Pipeline.ML.Evaluation;

namespace Pipeline.ML.Tests.Evaluation;

public class DiversityTests
{
    [Fact]
    public void Scores_match_hand_counts()
    {
        var scores = Diversity.Of(["a b a", "a b a", "a c"]);

        Assert.Equal(2.0 / 3, scores.FractionUnique, 12);
        Assert.Equal(3.0 / 8, scores.Distinct1, 12);          // unigrams a b a a b a a c: {a, b, c}
        Assert.Equal(3.0 / 5, scores.Distinct2, 12);          // bigrams ab ba ab ba ac: {ab, ba, ac}
        // Pairs: identical (1), "a b a" vs "a c" twice: distance 3 over length 5.
        Assert.Equal((1 + 2 * (1 - 3.0 / 5)) / 3, scores.EditSimilarity, 12);
    }

    [Theory]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("", "abc", 3)]
    [InlineData("flaw", "lawn", 2)]
    [InlineData("same", "same", 0)]
    public void Levenshtein_distance(string a, string b, int expected) => Assert.Equal(expected, Diversity.Levenshtein(a, b));

    [Fact]
    public void Sampled_completions_of_a_random_model_are_diverse_and_greedy_is_refused()
    {
        using var model = EvalModels.Random(seed: 8, maxPositions: 64);
        var generator = new TextGenerator(model, new LetterCodec());
        var options = new GenerationOptions { MaxNewTokens = 20, Temperature = 1.0, Seed = 3 };

        var metrics = Diversity.Evaluate("toy", ["a", "b c"], generator, options, k: 4).ToDictionary(m => m.Metric);

        Assert.Equal(1.0, metrics["fraction_unique"].Value);
        Assert.InRange(metrics["edit_similarity"].Value, 0, 0.9);
        Assert.Equal(2, metrics["distinct_2"].Count);
        Assert.Throws<ArgumentException>(() => Diversity.Evaluate("toy", ["a"], generator, options with { Temperature = 0 }, k: 4));
    }
}
