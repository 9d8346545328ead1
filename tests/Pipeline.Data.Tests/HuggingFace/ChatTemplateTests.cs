using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Data.Chat;

namespace Pipeline.Data.Tests.HuggingFace;

/// <summary>Our chat-template renders against @huggingface/jinja's (tests/hf-reference/render-chat.mjs), byte for byte:
/// the real models' templates over varied conversations, then the interpreter's features one small template at a time.</summary>
public class ChatTemplateTests
{
    public sealed record Case(IReadOnlyList<ChatMessage> Messages, bool AddGenerationPrompt, IReadOnlyDictionary<string, string> Variables);

    /// <summary>meta-llama/Llama-2-7b-chat-hf's chat_template: the llama2 package's tokenizer_config.json (the base
    /// model's) has none, so its test uses the chat model's, with that package's bos and eos tokens.</summary>
    private const string Llama2ChatTemplate =
        "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}" +
        "{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% for message in loop_messages %}" +
        "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}" +
        "{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}" +
        "{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}" +
        "{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}";

    private static readonly string[] SpecialTokens = ["bos_token", "eos_token", "pad_token", "unk_token"];

    private static ChatMessage System(string content) => new("system", content);
    private static ChatMessage User(string content) => new("user", content);
    private static ChatMessage Assistant(string content) => new("assistant", content);

    private static IEnumerable<(IReadOnlyList<ChatMessage> Messages, bool AddGenerationPrompt)> Conversations()
    {
        ChatMessage[] multiTurn = [System("You are terse."), User("Hi"), Assistant("Hello!"), User("2+2?"), Assistant("4")];
        yield return (multiTurn, false);
        yield return (multiTurn[..4], true);
        yield return (multiTurn[1..], false);
        yield return ([User("What is the capital of France?")], true);
        yield return ([User("What is the capital of France?")], false);
        yield return ([User("line one\nline two\n\n  indented"), Assistant("  padded both ends \n"), User("\n\ttabs\t\n")], true);
        yield return ([User("héllo wörld — 日本語 😀👍🏽"), Assistant("ça va ✓ \u00a0nbsp\u00a0"), User("\ufeffbom and \u0085next-line\u0085")], true);
        yield return ([User("{{ x }} {% if true %}y{% endif %} {# c #} }} {{"), Assistant("{'a': 1} \\n \" '")], true);
        yield return ([User("Say nothing."), Assistant(""), User("Again?")], true);
        yield return ([User("Why?"), Assistant("<think>\nBecause reasons.\n</think>\n\nBecause."), User("And?"),
            Assistant("<think>\n\nDeeper thought.\n\n</think>\n\nAnd so.")], false);
        yield return ([User("Why?"), Assistant("<think>\nhidden\n</think>\n\nShown."), User("Ok")], true);
        yield return ([User("<tool_response>\n42\n</tool_response>"), new ChatMessage("tool", "result"), User("thanks")], true);
        yield return ([User("one"), User("two")], true);
        yield return ([Assistant("I start"), User("then you")], true);
        yield return ([System("only a system prompt")], true);
        yield return ([], true);
    }

    public static TheoryData<string> Models() => ["llama3", "qwen3", "gemma3", "llama2"];

    [Theory]
    [MemberData(nameof(Models))]
    public void Real_chat_templates_render_as_the_reference_does(string model)
    {
        var configPath = Path.Combine(HfReference.ModelFolder(model), "tokenizer_config.json");
        var config = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        var source = ChatTemplateOf(config) ?? (model == "llama2" ? Llama2ChatTemplate : throw new InvalidDataException($"{model}: no chat_template"));
        var variables = SpecialTokens.Select(name => (name, Token: TokenText(config[name])))
            .Where(t => t.Token is not null).ToDictionary(t => t.name, t => t.Token!);
        var cases = Conversations().Select(c => new Case(c.Messages, c.AddGenerationPrompt, variables)).ToList();
        var rendered = AssertMatchesReference(source, cases, configPath);
        Assert.True(rendered >= cases.Count / 2, $"{model}: only {rendered} of {cases.Count} conversations rendered without error");
    }

    /// <summary>A string, or the template named "default" in a list of named templates.</summary>
    private static string? ChatTemplateOf(JsonObject config) => config["chat_template"] switch
    {
        JsonValue value => value.GetValue<string>(),
        JsonArray named => named.Single(t => (string?)t!["name"] == "default")!["template"]!.GetValue<string>(),
        _ => null,
    };

    /// <summary>A special token: a string, or an object with its `content`.</summary>
    private static string? TokenText(JsonNode? token) => token switch
    {
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        JsonObject added => (string?)added["content"],
        _ => null,
    };

    /// <summary>Asserts every case renders exactly as the reference, or raises DataFormatException where the reference
    /// throws; returns how many rendered.</summary>
    private static int AssertMatchesReference(string source, IReadOnlyList<Case> cases, string origin = "test template")
    {
        var expected = Reference(source, cases);
        ChatTemplate template;
        try
        {
            template = ChatTemplate.Parse(source, origin);
        }
        catch (DataFormatException e)
        {
            Assert.All(expected, r => Assert.True(r is JsonObject, $"we fail to parse ({e.Message}) what the reference renders"));
            return 0;
        }
        for (var i = 0; i < cases.Count; i++)
        {
            var (messages, addGenerationPrompt, variables) = cases[i];
            if (expected[i] is JsonObject)
                Assert.Equal("chat_template", Assert.Throws<DataFormatException>(() => template.Render(messages, addGenerationPrompt, variables)).Field);
            else Assert.Equal(expected[i]!.GetValue<string>(), template.Render(messages, addGenerationPrompt, variables));
        }
        return expected.Count(r => r is JsonValue);
    }

    private static JsonArray Reference(string source, IReadOnlyList<Case> cases)
    {
        var request = new JsonObject
        {
            ["template"] = source,
            ["cases"] = new JsonArray(cases.Select(c => (JsonNode)new JsonObject
            {
                ["messages"] = new JsonArray(c.Messages.Select(m => (JsonNode)new JsonObject { ["role"] = m.Role, ["content"] = m.Content }).ToArray()),
                ["add_generation_prompt"] = c.AddGenerationPrompt,
                ["variables"] = new JsonObject(c.Variables.Select(v => KeyValuePair.Create(v.Key, (JsonNode?)v.Value))),
            }).ToArray()),
        };
        return HfReference.Run("render-chat.mjs", request)["renders"]!.AsArray();
    }

    // ---- the interpreter's features, each against the reference ----

    private static readonly Case Sample = new(
        [System("Be brief."), User("Hi  there\n"), Assistant("Hello, 世界 😀")], true,
        new Dictionary<string, string> { ["bos_token"] = "<s>", ["eos_token"] = "</s>" });

    public static TheoryData<string> RenderingTemplates() =>
    [
        // loops
        "{% for m in messages %}{{ loop.index0 }}{{ loop.index }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.revindex }}{{ loop.revindex0 }}:{{ m.role }}|{% endfor %}",
        "{% for k, v in {'a': 1, 'b': [1, 2.5], 'c': none, 'd': {'e': 'f'}}.items() %}{{ k }}={{ v }};{% endfor %}",
        "{% for k, v in messages[0] | items %}{{ k }}:{{ v }} {% endfor %}{% for key in {'x': 1, 'y': 2} %}{{ key }}{% endfor %}",
        "{% for x in [] %}a{% else %}empty{% endfor %}{% for x in [1, 2, 3, 4] if x % 2 == 0 %}{{ x }}/{{ loop.length }} {% endfor %}",
        "{% for x in range(10) %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 5 %}{% break %}{% endif %}{{ x }}{% endfor %}{{ range(2, 9, 3) }}{{ range(3, 0, -1) }}",
        "{% for m in messages %}{{ loop.previtem.role if loop.previtem is defined else '-' }}>{{ loop.nextitem.role if loop.nextitem is defined else '-' }} {% endfor %}",
        // conditions and assignment
        "{% for n in [1, 2, 3] %}{% if n == 1 %}one{% elif n == 2 %}two{% else %}many{% endif %} {% endfor %}",
        "{% set x = 1 %}{% for i in [1, 2] %}{% set x = x + i %}{{ x }}{% endfor %}{{ x }}",
        "{% set ns = namespace(count=0, found=false, last='') %}{% for m in messages %}{% set ns.count = ns.count + 1 %}{% set ns.last = m.role %}{% endfor %}{{ ns.count }} {{ ns.found }} {{ ns.last }} {{ ns }}",
        "{% set ns = namespace({'a': 1}, b=2) %}{{ ns.a }}{{ ns.b }}{% set a, b = 1, 'two' %}{{ a }}{{ b }}",
        "{% set block %}  inner {{ 1 + 1 }}  {% endset %}[{{ block }}]",
        "{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('A') }} {{ greet('B', '?') }} {{ greet(name='C') }}",
        // whitespace
        "a  {%- if true -%}  b  {%- endif -%}  c\n  {{- ' d ' -}}  e {{ 'f' -}} \n g",
        "line1\n    {% if true %}\n    yes\n    {% endif %}\n  {{ 'kept indent' }}\nline2\n",
        "a {# comment #} b {#- stripped -#} c\n{# trimmed #}\nd",
        "{% generation %}x{% endgeneration %} y {%- generation -%} z\n{%- endgeneration %} w",
        "\t{%- for m in messages %}\n\t{{ m.role }}\n{%- endfor %}\n\n",
        // filters
        "{{ '  pad \n' | trim }}|{{ messages | length }}{{ 'héllo' | length }}{{ {'a': 1} | length }}{{ messages[0] | length }}",
        "{{ {'text': 'héllo \"q\" \\\\ \n', 'n': [1, 2.5, 1.0, -0.0, none, true], 'd': {}} | tojson }}",
        "{{ {'a': [1, {'b': 'ç'}], 'e': [], 'z': {}} | tojson(indent=2) }}|{{ [1, 2] | tojson(indent=0) }}|{{ {'b': 1, 'a': 2} | tojson(sort_keys=true) }}",
        "{{ {'a': [1, 2]} | tojson(separators=(',', ':')) }}|{{ 'é😀\u007f' | tojson(ensure_ascii=true) }}|{{ messages | tojson }}|{{ undefined_var | tojson }}",
        "{{ ['a', 'b', 1, 1.0, none] | join }}|{{ ['a', 'b'] | join(', ') }}|{{ 'abc' | join('-') }}|{{ [[1, 2], 3] | join(';') }}",
        "{{ undefined_var | default('dflt') }}|{{ '' | default('empty', true) }}|{{ '' | default('kept') }}|{{ none | default('x') }}",
        "{{ 1.0 | string }}{{ true | string }}{{ [1, 'a'] | string }}{{ 'hELLO wORLD' | upper }}{{ 'MiXeD' | lower }}{{ 'hELLO wORLD' | capitalize }}{{ 'hello wORLD-foo_bar élan 3d' | title }}",
        "{{ [3, 1, 2] | first }}{{ [3, 1, 2] | last }}{{ [3, 1, 2] | list }}{{ [3, 1, 2] | reverse }}{{ [3, 1, 2] | sort }}{{ ['b', 'A', 'c'] | sort }}{{ [1, 2, 1, 3] | unique }}",
        "{{ -3 | abs }}{{ 2.7 | int }}{{ '42abc' | int }}{{ ' 3.5x' | float }}{{ 'x' | int(7) }}{{ 'a\nb\n\nc' | indent }}|{{ 'a\nb' | indent(2, true) }}|{{ 'aXbXc' | replace('X', '-') }}",
        "{{ messages | map(attribute='role') | join(',') }}|{{ messages | selectattr('role', 'string') | length }}|{{ [{'a': 1}, {'b': 2}] | rejectattr('a') | tojson }}",
        // tests
        "{% for v in [none, 'a', '', 1, 1.5, true, false, [1], {'a': 1}, (1, 2)] %}{{ v is defined }}{{ v is none }}{{ v is string }}{{ v is mapping }}{{ v is iterable }}{{ v is number }}{{ v is true }}{{ v is false }}{{ v is sequence }}{{ v is not none }}{{ v is boolean }}|{% endfor %}",
        "{{ undefined_var is defined }}{{ undefined_var is undefined }}{{ undefined_var is not defined }}{{ 3 is odd }}{{ 4 is even }}{{ 'abc' is lower }}{{ 'ABC' is upper }}{{ raise_exception is callable }}",
        // string methods
        "{{ 'hello'.startswith('he') }}{{ 'hello'.endswith(('x', 'lo')) }}{{ 'a,b,,c'.split(',') }}{{ '  a  b \n c '.split() }}{{ 'a b c d'.split(' ', 2) }}{{ ' x y '.split(none, 1) }}",
        "[{{ '\n x \n'.strip() }}][{{ '\n x \n'.lstrip('\n') }}][{{ '\n x \n'.rstrip() }}][{{ 'aaa'.replace('a', 'b', 2) }}][{{ 'ab'.replace('', '-') }}][{{ 'MiX'.upper() }}{{ 'MiX'.lower() }}{{ 'mix it'.title() }}]",
        // slices and indexing
        "{{ messages[1:] | length }}{{ [1, 2, 3, 4, 5][::-1] }}{{ [1, 2, 3][:-1] }}{{ 'héllo😀'[::-1] }}{{ 'abcdef'[1:5:2] }}{{ [1, 2, 3, 4][3:-1:-1] }}{{ [1, 2, 3][5:] }}{{ 'abc'[-2:] }}",
        "{{ messages[0]['role'] }}{{ messages[0].content }}{{ messages[-1].role }}[{{ messages[10] }}{{ messages[0].missing }}{{ messages[0].missing.deeper }}{{ undefined_var }}{{ undefined_var.attr }}]{{ 'abc'[1] }}{{ 'abc'.length }}{{ messages.length }}{{ messages[0].get('role') }}{{ messages[0].get('x', 'dflt') }}",
        // operators and literals
        "{{ 'a' in 'cat' }}{{ 'x' not in ['x'] }}{{ 'role' in messages[0] }}{{ 1 in [1.0] }}{{ 'q' in undefined_var }}{{ 1 ~ 2.0 ~ 'x' ~ [1.0, 'a'] }}{{ 'n' + 1.0 }}{{ [1] + [2.5] }}",
        "{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 / 2 }} {{ 6 / 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 2 ** 10 }} {{ 2 ** -1 }} {{ 1 + 2 * 3 }} {{ 1.5 + 1 }} {{ 2 * 1.0 }} {{ 0.1 + 0.2 }} {{ 1 / 3 }} {{ 100000000000000000000 * 10 }} {{ 0.000001 / 10 }} {{ 1 / 0 }}",
        "{{ 3 > 2 and 2 >= 2 }}{{ not 1 == 2 }}{{ 1 == 1.0 }}{{ '1' == 1 }}{{ none == undefined_var }}{{ [] or 'empty' }}{{ 0 and 1 }}{{ 'a' != 'b' }}{{ true == 1 }}{{ -(3) }}{{ +true }}",
        "{{ 'yes' if messages else 'no' }}[{{ 'x' if false }}]{{ 'a' if 0 else 'b' if 1 else 'c' }}",
        "{{ \"esc\\n\\t\\\\\\\"'\" }}{{ 'single \\'q\\'' }}{{ \"\\u00e9\\x41\" }}{{ 'con' 'cat' }}{{ 42 }}{{ -3 }}{{ 3.14 }}{{ 1.0 }}{{ -0.0 }}{{ [1, 'a', [true, none]] }}{{ {'k': 'v', 'n': 1.5} }}{{ True }}{{ False }}{{ None }}{{ none }}{{ bos_token }}{{ add_generation_prompt }}",
    ];

    [Theory]
    [MemberData(nameof(RenderingTemplates))]
    public void Interpreter_features_render_as_the_reference_does(string template)
    {
        Assert.True(Reference(template, [Sample])[0] is JsonValue, "the reference itself fails on this template");
        Assert.Equal(1, AssertMatchesReference(template, [Sample]));
    }

    public static TheoryData<string> RaisingTemplates() =>
    [
        "{{ raise_exception('boom') }}",
        "{{ undefined_var + 1 }}",
        "{{ 'a' < 'b' }}",
        "{{ messages[0] | upper }}",
        "{{ no_such_function() }}",
        "{{ 'abc'.no_such_method() }}",
        "{% for x in 'abc' %}{% endfor %}",
        "{{ none + 1 }}",
        "{{ (1, 2) | tojson }}",
        "{{ undefined_var | trim }}",
        "{{ 'x' | default }}",
        "{{ [] | first }}",
        "{% for a, b in [[1, 2, 3]] %}{% endfor %}",
        "{% set x.y = 1 %}",
        "{{ undefined_var[0] }}",
        "{% if x %}never closed",
        "{{ x ",
        "{% endfor %}",
        "{{ 'unterminated }}",
        "{% unknown_tag %}",
        "{{ 1 !! 2 }}",
    ];

    [Theory]
    [MemberData(nameof(RaisingTemplates))]
    public void Interpreter_raises_where_the_reference_raises(string template)
    {
        Assert.True(Reference(template, [Sample])[0] is JsonObject, "the reference renders this template");
        Assert.Equal(0, AssertMatchesReference(template, [Sample]));
    }

    [Fact]
    public void Raise_exception_gives_its_message_with_the_origin()
    {
        var template = ChatTemplate.Parse("{% if messages[0].role != 'user' %}{{ raise_exception('first must be user') }}{% endif %}", "cfg.json");
        var e = Assert.Throws<DataFormatException>(() => template.Render([Assistant("x")], false, new Dictionary<string, string>()));
        Assert.Equal(("cfg.json", 0, "chat_template"), (e.File, e.Line, e.Field));
        Assert.Equal("cfg.json: field 'chat_template': first must be user", e.Message);
    }

    [Theory]
    [InlineData("line one\n{{ 'two' }}\n{{ x + }}", 3)]
    [InlineData("{% if true %}\n{% for m in messages %}\n{{ m }}\n{% endfor %}\n{% endif %}\n{% bogus %}", 6)]
    [InlineData("{% if true %}\n\n   {{ 'a' ]] }}", 3)]
    [InlineData("{# a comment\nover lines #}\n{{ 'never closed", 3)]
    public void A_syntax_error_names_the_origin_and_the_template_line(string source, int line)
    {
        var e = Assert.Throws<DataFormatException>(() => ChatTemplate.Parse(source, "models/x/tokenizer_config.json"));
        Assert.Equal(("models/x/tokenizer_config.json", line, "chat_template"), (e.File, e.Line, e.Field));
        Assert.StartsWith($"models/x/tokenizer_config.json:{line}: field 'chat_template': ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void The_default_template_is_bos_then_role_headed_turns_with_eos_after_each_assistant_message()
    {
        ChatMessage[] chat = [System("Be kind."), User("Hi\nthere"), Assistant("Hello!"), User("Bye"), Assistant("See you.")];
        var specials = new Dictionary<string, string> { ["bos_token"] = "<s>", ["eos_token"] = "</s>" };
        Assert.Equal("<s>### System:\nBe kind.\n### User:\nHi\nthere\n### Assistant:\nHello!</s>\n### User:\nBye\n### Assistant:\nSee you.</s>",
            ChatTemplate.Default.Render(chat, addGenerationPrompt: false, specials));
        Assert.Equal("<s>### System:\nBe kind.\n### User:\nHi\nthere\n### Assistant:\nHello!</s>\n### User:\nBye\n### Assistant:\n",
            ChatTemplate.Default.Render(chat[..^1], addGenerationPrompt: true, specials));
    }
}
