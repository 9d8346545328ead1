namespace Pipeline.Data.Chat;

public sealed record ChatMessage(string Role, string Content);

/// <summary>A Hugging Face chat template (tokenizer_config.json's `chat_template`), rendered byte for byte as
/// transformers.js does with @huggingface/jinja 0.5.11 (trim_blocks and lstrip_blocks on).</summary>
public sealed class ChatTemplate
{
    /// <summary>The chat format of models without a template (the built-in ones): BOS, then the messages as
    /// `### Role:\ncontent` joined by newlines, each assistant message closed by EOS; with the generation prompt,
    /// `\n### Assistant:\n`. A user/assistant pair renders exactly as a `{"prompt","response"}` example is stored.</summary>
    private const string DefaultSource =
        "{{ bos_token }}{% for message in messages %}{% if not loop.first %}{{ '\\n' }}{% endif %}" +
        "{{ '### ' + message.role | capitalize + ':\\n' + message.content }}{% if message.role == 'assistant' %}{{ eos_token }}{% endif %}" +
        "{% endfor %}{% if add_generation_prompt %}{{ '\\n### Assistant:\\n' }}{% endif %}";

    public static readonly ChatTemplate Default = Parse(DefaultSource, "the default chat template");

    private readonly IReadOnlyList<Node> program;
    private readonly string origin;

    private ChatTemplate(IReadOnlyList<Node> program, string origin)
    {
        this.program = program;
        this.origin = origin;
    }

    /// origin: where the template came from (e.g. the tokenizer_config.json path) for error messages.
    public static ChatTemplate Parse(string source, string origin)
    {
        try
        {
            return new ChatTemplate(JinjaParser.Parse(JinjaLexer.Tokenize(source)), origin);
        }
        catch (JinjaException e)
        {
            throw new DataFormatException(origin, e.Line, "chat_template", e.Message);
        }
    }

    /// Renders like transformers' apply_chat_template(messages, tokenize=False, add_generation_prompt=...),
    /// with the special-token strings from tokenizer_config.json (bos_token, eos_token, pad_token, unk_token ... ) as variables.
    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt, IReadOnlyDictionary<string, string> variables)
    {
        try
        {
            return JinjaInterpreter.Render(program, Context(messages, addGenerationPrompt, variables));
        }
        catch (JinjaException e)
        {
            throw new DataFormatException(origin, 0, "chat_template", e.Message);
        }
    }

    /// <summary>The template's variables; as in `{messages, add_generation_prompt, ...variables}`, a variable of the
    /// same name replaces messages or add_generation_prompt.</summary>
    private static OrderedDictionary<string, JinjaValue> Context(
        IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt, IReadOnlyDictionary<string, string> variables)
    {
        var context = new OrderedDictionary<string, JinjaValue>
        {
            ["messages"] = new ListValue(messages.Select(Message).ToList()),
            ["add_generation_prompt"] = BoolValue.Of(addGenerationPrompt),
        };
        foreach (var (name, value) in variables) context[name] = new StringValue(value);
        return context;
    }

    private static JinjaValue Message(ChatMessage message) => new DictValue(new OrderedDictionary<string, JinjaValue>
    {
        ["role"] = new StringValue(message.Role),
        ["content"] = new StringValue(message.Content),
    });
}
