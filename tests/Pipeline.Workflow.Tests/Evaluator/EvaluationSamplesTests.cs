using Pipeline.Compute.Evaluator;
using Pipeline.Data.Tasks;
using Pipeline.ML.Evaluation;

namespace Pipeline.Workflow.Tests.Evaluator;

/// <summary>The per-item records hold exactly what the aggregate metrics were computed from.</summary>
public sealed class When_an_evaluation_keeps_its_samples
{
    [Fact]
    public void Should_pool_the_documents_to_the_corpus_bits_per_byte()
    {
        PerplexityDocument[] documents = [new("a", "one two three"), new("b", "four, five — six"), new("c", "seven")];
        DocumentScore[] scores = [new("a", -21.5, 4, 3, 13), new("b", -40.25, 7, 4, 18), new("c", -9.0, 2, 1, 5)];

        var samples = EvaluationSamples.Perplexity("prose", "source", documents, scores).ToList();
        var bitsPerByte = Perplexity.Metrics("prose", scores).Single(m => m.Metric == "bits_per_byte");

        Assert.Equal([0, 1, 2], samples.Select(s => s.DocId));
        Assert.Equal(bitsPerByte.Value, -samples.Sum(s => s.Values["loglikelihood"]) / (Math.Log(2) * samples.Sum(s => s.Values["bytes"])), 12);
        Assert.Equal(21.5 / (Math.Log(2) * 13), samples[0].Values["bits_per_byte"], 12);
        Assert.Equal(Math.Exp(21.5 / 3), samples[0].Values["word_perplexity"], 9);
        Assert.Equal(Math.Exp(21.5 / 13), samples[0].Values["byte_perplexity"], 12);
        Assert.Equal(["a", "b", "c"], samples.Select(s => s.ItemId));
        Assert.Equal("[[-21.5]]", samples[0].ResponsesJson);
    }

    [Fact]
    public void Should_keep_each_choice_and_average_to_acc_and_acc_norm()
    {
        MultipleChoiceItem[] items =
        [
            new("ctx", [" a", " bb"], 0, "doc-1"), new("ctx", [" a", " bb"], 1, "doc-1"), new("ctx2", [" c", " dd"], 1, "doc-2"),
        ];
        MultipleChoiceOutcome[] outcomes = [new(0, 0, 1, [-1.0, -3.0]), new(1, 0, 1, [-1.0, -1.5]), new(1, 1, 1, [-4.0, -2.0])];

        var samples = EvaluationSamples.MultipleChoice("mc", "source", items, outcomes).ToList();

        Assert.Equal(2.0 / 3, samples.Average(s => s.Values["acc"]), 12);
        Assert.Equal(2.0 / 3, samples.Average(s => s.Values["acc_norm"]), 12);
        Assert.Equal(["doc-1", "doc-1", "doc-2"], samples.Select(s => s.SourceId));
        Assert.Equal(["0", "1", "2"], samples.Select(s => s.ItemId));
        Assert.Equal(-1.5, samples[1].Values["loglikelihood_1"]);
        Assert.Equal("[[[-1,false]],[[-3,false]]]", samples[0].ResponsesJson);
    }

    [Fact]
    public void Should_keep_the_completion_its_extraction_and_each_matchers_score()
    {
        GenerationItem[] items = [new("Q: 2+2?\n", "4", ["\n\n"], "p1"), new("Q: 3+3?\n", "6", ["\n\n"], "p2")];
        AnswerMatcher[] matchers = [AnswerMatcher.Strict, AnswerMatcher.Flexible];
        var outcomes = new[] { "so 4\n#### 4", "it is 6" }.Select(c =>
        {
            var extracted = matchers.Select(m => m.Extract(c)).ToArray();
            return new GenerationOutcome(c, extracted, matchers.Select((m, k) => m.Matches(extracted[k], items[c.Contains('4') ? 0 : 1].Answer)).ToArray());
        }).ToArray();

        var samples = EvaluationSamples.Generation("gsm", "target", items, outcomes, matchers).ToList();

        Assert.Equal([1.0, 0.0], samples.Select(s => s.Values["exact_match,strict-match"]));
        Assert.Equal([1.0, 1.0], samples.Select(s => s.Values["exact_match,flexible-extract"]));
        Assert.Equal("[\"4\"]", samples[0].FilteredResponsesJson);
        Assert.Equal("6", samples[1].Target);
        Assert.Equal(["p1", "p2"], samples.Select(s => s.ItemId));
    }
}
