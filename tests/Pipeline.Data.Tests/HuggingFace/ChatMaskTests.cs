using Pipeline.Data.Chat;
using Pipeline.Data.Corpora.Code;
using Pipeline.Data.Datasets;
using Pipeline.Data.Tokenization;

namespace Pipeline.Data.Tests.HuggingFace;

/// <summary>Chat examples are the model's own template rendered and tokenized, with loss on the assistant turns only.</summary>
public class ChatMaskTests(TokenizerTests.Trained builtIn) : IClassFixture<TokenizerTests.Trained>
{
    private static readonly IReadOnlyList<ChatMessage> Conversation =
    [
        new("system", "You are a terse assistant."),
        new("user", "What is 2 + 2?"),
        new("assistant", "4."),
        new("user", "Write `def f(x): return x*2` as a lambda.\nThanks!"),
        new("assistant", "  f = lambda x: x * 2\n"),
    ];

    [Theory]
    [InlineData("llama3", "<|eot_id|>")]
    [InlineData("qwen3", "<|im_end|>")]
    [InlineData("gemma3", "<end_of_turn>")]
    public void Only_assistant_turns_and_the_tokens_closing_them_carry_loss(string model, string closing)
    {
        var tokenizer = TextTokenizer.Load(HfReference.ModelFolder(model));
        var chat = ChatFormat.For(tokenizer);
        var example = new TrainingExample("c", "c", chat.Segments(Conversation), Framed: false);
        var document = DatasetBuilder.Tokenize(tokenizer, example);

        var rendered = chat.Render(Conversation, addGenerationPrompt: false);
        Assert.Equal(rendered, tokenizer.Decode(document.Ids));
        Assert.Equal(tokenizer.Encode(rendered), document.Ids); // tokenizing turn by turn changes no id here
        Assert.Equal(["4." + closing, "f = lambda x: x * 2" + closing], TrainedRuns(tokenizer, document).Select(r => r.Replace("\n" + closing, closing)));
        Assert.DoesNotContain("What is 2 + 2?", string.Concat(TrainedRuns(tokenizer, document)));
    }

    /// <summary>Without a template, a user/assistant pair is stored token for token as the same prompt/response pair.</summary>
    [Fact]
    public void The_default_format_stores_a_pair_as_its_prompt_response_example()
    {
        var tokenizer = builtIn.Tokenizer;
        var chat = DatasetBuilder.Tokenize(tokenizer, new TrainingExample("c", "c",
            ChatFormat.For(tokenizer).Segments([new("user", "Add 2 and 3."), new("assistant", "5")]), Framed: false));
        var pair = DatasetBuilder.Tokenize(tokenizer,
            TrainingExample.Instruction(new InstructionExample("p", "p", "### User:\nAdd 2 and 3.\n### Assistant:\n", "5")));
        Assert.Equal(pair.Ids, chat.Ids);
        Assert.Equal(pair.Trained, chat.Trained);
        Assert.Equal((SpecialTokens.BosId, SpecialTokens.EosId), (chat.Ids[0], chat.Ids[^1]));
    }

    [Fact]
    public void An_assistant_message_the_template_does_not_render_is_refused()
    {
        var chat = ChatFormat.For(TextTokenizer.Load(HfReference.ModelFolder("qwen3")));
        // Qwen3 drops the reasoning of earlier turns, so this content never appears verbatim.
        var error = Assert.Throws<ArgumentException>(() => chat.Segments(
            [new("user", "a"), new("assistant", "<think>hidden</think>shown"), new("user", "b"), new("assistant", "c")]));
        Assert.Contains("messages[1]", error.Message);
    }

    /// <summary>transformers (since 4.43) may save the template as `chat_template.jinja` beside tokenizer_config.json.</summary>
    [Fact]
    public void A_chat_template_jinja_file_is_the_template_when_the_config_has_none()
    {
        using var folder = new TempFolder();
        HuggingFaceTokenizerFile.Save(builtIn.Model, folder.Path);
        folder.File("chat_template.jinja", "{% for m in messages %}[{{ m.role }}] {{ m.content }}{{ eos_token }}{% endfor %}");
        var chat = ChatFormat.For(TextTokenizer.Load(folder.Path));
        Assert.Equal("[user] Hi</s>[assistant] Yo</s>", chat.Render([new("user", "Hi"), new("assistant", "Yo")], addGenerationPrompt: false));
        folder.File("chat_template.jinja", "{% if %}");
        var error = Assert.Throws<DataFormatException>(() => ChatFormat.For(TextTokenizer.Load(folder.Path)));
        Assert.EndsWith("chat_template.jinja", error.File);
    }

    /// <summary>The decoded text of each maximal run of trained tokens.</summary>
    private static List<string> TrainedRuns(TextTokenizer tokenizer, TokenizedDocument document)
    {
        var runs = new List<string>();
        for (var i = 0; i < document.Ids.Length; i++)
        {
            if (!document.Trained[i]) continue;
            var start = i;
            while (i < document.Ids.Length && document.Trained[i]) i++;
            runs.Add(tokenizer.Decode(document.Ids[start..i]));
        }
        return runs;
    }
}
