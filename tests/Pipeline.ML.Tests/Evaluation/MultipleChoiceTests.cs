using Pipeline.ML.Evaluation;
using Pipeline.Data.Tasks;

namespace Pipeline.ML.Tests.Evaluation;

public class MultipleChoiceTests
{
    [Fact]
    public void Acc_and_acc_norm_disagree_where_length_normalisation_changes_the_argmax()
    {
        // Under a uniform model every token costs ln V, so the shortest choice has the highest summed log-likelihood
        // (acc), while per character the longest one wins (acc_norm): " a" is 2 tokens for 1 character, " bcd" 4 for 3.
        using var model = EvalModels.Uniform();
        MultipleChoiceItem[] items =
        [
            new("q", ["a", "bcd"], 1),        // acc picks a (wrong), acc_norm bcd (right)
            new("q", ["a", "bcd"], 0),        // acc right, acc_norm wrong
            new("q", ["ab", "cdefg"], 1),     // −3 vs −6 ln V; per char −1.5 vs −1.2: acc wrong, acc_norm right
            new("q", ["abc", "d", "ef"], 1),  // −4, −2, −3 ln V; per char −1.33, −2, −1.5: acc right, acc_norm wrong
            new("q", ["a", "bcd"], 1),
        ];

        var (metrics, outcomes) = MultipleChoice.Evaluate("toy", items, new LogLikelihoodScorer(model, batchSize: 4), new LetterCodec());

        double lnV = Math.Log(LetterCodec.VocabSize);
        Assert.Equal(-2 * lnV, outcomes[0].LogLikelihoods[0], 5);
        Assert.Equal(-4 * lnV, outcomes[0].LogLikelihoods[1], 5);
        Assert.Equal([0, 0, 0, 1, 0], outcomes.Select(o => o.Predicted));
        Assert.Equal([1, 1, 1, 0, 1], outcomes.Select(o => o.PredictedNorm));
        var acc = metrics.Single(m => m.Metric == "acc");
        var accNorm = metrics.Single(m => m.Metric == "acc_norm");
        Assert.Equal(0.4, acc.Value, 12);
        Assert.Equal(0.6, accNorm.Value, 12);
        Assert.Equal(Math.Sqrt(0.4 * 0.6 / 4), acc.StdErr, 12); // binomial, with the harness's n − 1
        Assert.Equal(5, acc.Count);
    }

    [Fact]
    public void A_label_outside_the_choices_is_rejected_naming_the_item()
    {
        using var model = EvalModels.Uniform();
        var error = Assert.Throws<ArgumentException>(() =>
            MultipleChoice.Evaluate("toy", [new("q", ["a", "b"], 0), new("q", ["a", "b"], 2)], new LogLikelihoodScorer(model), new LetterCodec()));
        Assert.Contains("toy item 1: label 2", error.Message);
    }
}
