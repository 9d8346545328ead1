using Pipeline.ML.Evaluation;
using Pipeline.Data.Tasks;

namespace Pipeline.ML.Tests.Evaluation;

public class ExactMatchTests
{
    [Fact]
    public void Each_item_is_generated_with_its_own_stop_strings_and_scored_by_every_matcher()
    {
        var codec = new LetterCodec();
        using var model = EvalModels.Preferring(codec.Encode("k")[0]);   // always continues with "kkk"
        GenerationItem[] items =
        [
            new("a", "kkk", []),
            new("b", "abc", []),
            new("c", "kkk", ["kk"]),                                     // cut at the stop string: "" is wrong
        ];

        var (metrics, outcomes) = ExactMatch.Evaluate("toy", items, new TextGenerator(model, codec),
            new GenerationOptions { MaxNewTokens = 3 }, [AnswerMatcher.FirstLine, AnswerMatcher.Strict]);

        Assert.Equal(["kkk", "kkk", ""], outcomes.Select(o => o.Completion));
        Assert.Equal([["kkk", null], ["kkk", null], [null, null]], outcomes.Select(o => o.Extracted));  // each matcher's own extraction
        var firstLine = metrics.Single(m => m.Metric == "exact_match,first-line");
        Assert.Equal(1.0 / 3, firstLine.Value, 12);
        Assert.Equal(Math.Sqrt(1.0 / 3 * 2 / 3 / 2), firstLine.StdErr, 12);
        Assert.Equal(0, metrics.Single(m => m.Metric == "exact_match,strict-match").Value);
    }

    [Fact]
    public void Token_id_text_round_trips_and_rejects_words()
    {
        var codec = new TokenIdCodec(bosId: 0, eosId: 1);
        Assert.Equal([5, 17, 3], codec.Encode(" 5 17\n3 "));
        Assert.Equal("5 17 3", codec.Decode([5, 17, 3]));
        Assert.Contains("'x' is not a token id", Assert.Throws<FormatException>(() => codec.Encode("5 x")).Message);
    }
}
