using Pipeline.ML.Evaluation;
using static TorchSharp.torch;

namespace Pipeline.ML.Tests.Evaluation;

public class TextGeneratorTests
{
    private static readonly LetterCodec Codec = new();

    [Theory]
    [InlineData("a")]
    [InlineData("the quick fox")]
    public void Greedy_tokens_are_identical_with_and_without_the_kv_cache(string prompt)
    {
        using var model = EvalModels.Random(seed: 5, maxPositions: 64);
        var generator = new TextGenerator(model, Codec);
        var options = new GenerationOptions { MaxNewTokens = 40 };

        var cached = generator.Generate(prompt, options, count: 2);
        var recomputed = generator.Generate(prompt, options with { UseKvCache = false }, count: 2);

        Assert.Equal(recomputed[0].Tokens, cached[0].Tokens);
        Assert.Equal(cached[0].Tokens, cached[1].Tokens);
        Assert.True(cached[0].Tokens.Length > 5);
    }

    [Fact]
    public void A_batch_of_prompts_of_different_lengths_completes_each_as_if_alone()
    {
        using var model = EvalModels.Random(seed: 5, maxPositions: 64);
        var generator = new TextGenerator(model, Codec);
        var options = new GenerationOptions { MaxNewTokens = 30 };
        string[] prompts = ["a", "the quick fox", "jumps over"];
        var alone = prompts.Select(p => generator.Generate(p, options)[0]).ToArray();
        IReadOnlyList<string>[] stops = [[], [alone[1].Text[3..5]], []];

        var batched = generator.Generate(prompts, options, stops);
        var uncached = generator.Generate(prompts, options with { UseKvCache = false }, stops);

        Assert.Equal(alone[0].Tokens, batched[0].Tokens);
        Assert.Equal(alone[2].Tokens, batched[2].Tokens);
        Assert.Equal((alone[1].Text[..3], FinishReason.Stop), (batched[1].Text, batched[1].Finish));
        Assert.Equal(batched.Select(c => c.Tokens), uncached.Select(c => c.Tokens));
    }

    [Fact]
    public void Greedy_tokens_are_each_the_argmax_of_a_full_forward()
    {
        using var model = EvalModels.Random(seed: 6, maxPositions: 64);
        var prompt = Codec.Encode("abc");

        var completion = new TextGenerator(model, Codec).Generate(prompt, new GenerationOptions { MaxNewTokens = 10 })[0];

        var sequence = prompt.ToList();
        foreach (var token in completion.Tokens)
        {
            var logProbs = EvalModels.LogSoftmax(model, sequence);
            int last = sequence.Count - 1;
            Assert.Equal(Enumerable.Range(0, LetterCodec.VocabSize).MaxBy(v => logProbs[last, v]), token);
            sequence.Add(token);
        }
    }

    [Fact]
    public void Greedy_decoding_stops_at_a_stop_string_and_cuts_it_off()
    {
        using var model = EvalModels.Random(seed: 5, maxPositions: 64);
        var generator = new TextGenerator(model, Codec);
        var options = new GenerationOptions { MaxNewTokens = 40 };
        var free = generator.Generate("the quick fox", options)[0];
        Assert.True(free.Text.Length >= 8, $"precondition: a long free completion, got '{free.Text}'");
        string stop = free.Text[5..7];                                 // spans two tokens
        int cut = free.Text.IndexOf(stop, StringComparison.Ordinal);

        var stopped = generator.Generate("the quick fox", options with { Stop = ["never", stop] })[0];

        Assert.Equal(free.Text[..cut], stopped.Text);
        Assert.Equal(FinishReason.Stop, stopped.Finish);
        Assert.Equal(cut + stop.Length, stopped.Tokens.Length);        // no token generated past the stop string
    }

    [Fact]
    public void End_of_sequence_ends_a_completion_without_text()
    {
        using var model = EvalModels.Preferring(Codec.EosId);
        var completion = new TextGenerator(model, Codec).Generate("ab", new GenerationOptions { MaxNewTokens = 10 })[0];
        Assert.Equal(FinishReason.EndOfSequence, completion.Finish);
        Assert.Equal("", completion.Text);
    }

    [Fact]
    public void A_model_preferring_one_token_fills_the_budget_with_it()
    {
        using var model = EvalModels.Preferring(Codec.Encode("k")[0]);
        var completion = new TextGenerator(model, Codec).Generate("ab", new GenerationOptions { MaxNewTokens = 6 })[0];
        Assert.Equal(("kkkkkk", FinishReason.Length), (completion.Text, completion.Finish));
    }

    [Fact]
    public void Sampling_is_reproducible_for_a_seed_and_varies_across_seeds_and_rows()
    {
        using var model = EvalModels.Random(seed: 7, maxPositions: 64);
        var generator = new TextGenerator(model, Codec);
        var options = new GenerationOptions { MaxNewTokens = 30, Temperature = 1.0, TopP = 0.95, Seed = 11 };

        var first = generator.Generate("a", options, count: 4);
        var again = generator.Generate("a", options, count: 4);
        var uncached = generator.Generate("a", options with { UseKvCache = false }, count: 4);
        var otherSeed = generator.Generate("a", options with { Seed = 12 }, count: 4);

        Assert.Equal(first.Select(c => c.Text), again.Select(c => c.Text));
        Assert.Equal(first.Select(c => c.Text), uncached.Select(c => c.Text));
        Assert.NotEqual(first.Select(c => c.Text), otherSeed.Select(c => c.Text));
        Assert.True(first.Select(c => c.Text).Distinct().Count() > 1);
    }

    [Fact]
    public void Top_p_keeps_the_smallest_head_whose_mass_reaches_p()
    {
        using var scope = NewDisposeScope();
        var scores = tensor(new[] { 0.5f, 0.3f, 0.15f, 0.05f }).log().unsqueeze(0);

        bool[] Kept(double p) => TokenSampler.TopP(scores, p).isfinite()[0].data<bool>().ToArray();

        Assert.Equal([true, true, false, false], Kept(0.7));
        Assert.Equal([true, true, true, false], Kept(0.9));
        Assert.Equal([true, false, false, false], Kept(0.1));
    }
}
