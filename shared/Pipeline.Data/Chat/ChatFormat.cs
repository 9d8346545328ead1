using Pipeline.Data.Datasets;
using Pipeline.Data.Tokenization;

namespace Pipeline.Data.Chat;

/// <summary>How chat conversations become text for one tokenizer: rendered by its model's `chat_template`, or by
/// <see cref="ChatTemplate.Default"/> when the model has none, with the tokenizer's special tokens as variables.</summary>
public sealed class ChatFormat
{
    private readonly ChatTemplate _template;
    private readonly IReadOnlyDictionary<string, string> _variables;
    private readonly IReadOnlyList<string> _specialTokens;

    private ChatFormat(ChatTemplate template, IReadOnlyDictionary<string, string> variables, IEnumerable<string> specialTokens)
    {
        _template = template;
        _variables = variables;
        _specialTokens = specialTokens.Where(t => t.Length > 0).OrderByDescending(t => t.Length).ToList();
    }

    public static ChatFormat For(TextTokenizer tokenizer) => new(
        tokenizer.Config.ChatTemplate is { } source ? ChatTemplate.Parse(source, tokenizer.Config.ChatTemplateOrigin) : ChatTemplate.Default,
        tokenizer.Config.TemplateVariables(), tokenizer.AddedSpecialTokens);

    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt) =>
        _template.Render(messages, addGenerationPrompt, _variables);

    /// <summary>The rendered conversation cut into segments: each assistant message's content together with the
    /// special token that closes its turn (`&lt;|eot_id|&gt;`, `&lt;|im_end|&gt;`, `&lt;end_of_turn&gt;`, EOS) is
    /// trained; everything the template adds around it (headers, system and user turns) is not. An assistant
    /// message is looked for after its own turn's header, found by rendering the conversation before it with the
    /// generation prompt.</summary>
    public IReadOnlyList<TextSegment> Segments(IReadOnlyList<ChatMessage> messages)
    {
        var text = Render(messages, addGenerationPrompt: false);
        var segments = new List<TextSegment>();
        var cursor = 0;
        for (var i = 0; i < messages.Count; i++)
        {
            var content = messages[i].Content.Trim();
            if (messages[i].Role != "assistant" || content.Length == 0) continue;
            var start = text.IndexOf(content, Math.Max(cursor, TurnStart(messages, i, text)), StringComparison.Ordinal);
            if (start < 0)
                throw new ArgumentException($"messages[{i}]: the chat template does not render this assistant message's content verbatim, so its tokens cannot be masked");
            var end = EndOfTurn(text, start + content.Length);
            segments.Add(new TextSegment(text[cursor..start], Trained: false));
            segments.Add(new TextSegment(text[start..end], Trained: true));
            cursor = end;
        }
        segments.Add(new TextSegment(text[cursor..], Trained: false));
        return segments.Where(s => s.Text.Length > 0).ToList();
    }

    /// <summary>Where assistant turn i begins: the length of the text the conversation before it renders to with the
    /// generation prompt, as far as that is a prefix of the whole (a template may refuse such a prefix: then 0).</summary>
    private int TurnStart(IReadOnlyList<ChatMessage> messages, int i, string text)
    {
        string prefix;
        try { prefix = Render(messages.Take(i).ToList(), addGenerationPrompt: true); }
        catch (DataFormatException) { return 0; }
        var common = 0;
        while (common < prefix.Length && common < text.Length && prefix[common] == text[common]) common++;
        return common;
    }

    /// <summary>Past the special token that closes the turn, and the whitespace before it (a template may keep the
    /// message's own trailing newline); where no special token follows, the content's own end.</summary>
    private int EndOfTurn(string text, int contentEnd)
    {
        var at = contentEnd;
        while (at < text.Length && char.IsWhiteSpace(text[at])) at++;
        var closing = _specialTokens.FirstOrDefault(t => string.CompareOrdinal(text, at, t, 0, t.Length) == 0);
        return closing is null ? contentEnd : at + closing.Length;
    }
}
