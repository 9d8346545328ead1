using System.Text;

namespace Pipeline.Data.Chat;

/// <summary>A runtime value, with @huggingface/jinja's truthiness and its two string forms.</summary>
internal abstract class JinjaValue
{
    public abstract string TypeName { get; }

    public virtual bool IsTruthy => true;

    /// <summary>How `{{ value }}` renders it.</summary>
    public abstract string Render();

    /// <summary>JavaScript's String() of the underlying value, which `+`, `~`, join and raise_exception use:
    /// it differs from Render for floats (1.0 gives "1"), lists and dicts.</summary>
    public virtual string Concatenated => Render();
}

internal sealed class UndefinedValue : JinjaValue
{
    public static readonly UndefinedValue Instance = new();
    public override string TypeName => "undefined";
    public override bool IsTruthy => false;
    public override string Render() => "undefined";
}

internal sealed class NoneValue : JinjaValue
{
    public static readonly NoneValue Instance = new();
    public override string TypeName => "none";
    public override bool IsTruthy => false;
    public override string Render() => "null";
}

internal sealed class BoolValue(bool value) : JinjaValue
{
    public static readonly BoolValue True = new(true), False = new(false);
    public bool Value { get; } = value;
    public override string TypeName => "boolean";
    public override bool IsTruthy => Value;
    public override string Render() => Value ? "true" : "false";
    public static BoolValue Of(bool value) => value ? True : False;
}

/// <summary>Integers and floats are both JavaScript doubles; IsFloat only changes how they render (2.0 vs 2).</summary>
internal sealed class NumberValue(double value, bool IsFloat) : JinjaValue
{
    public double Value { get; } = value;
    public bool IsFloat { get; } = IsFloat;
    public override string TypeName => IsFloat ? "float" : "integer";
    public override bool IsTruthy => Value != 0 && !double.IsNaN(Value);
    public override string Concatenated => JsText.Number(Value);

    public override string Render()
    {
        if (!IsFloat) return JsText.Number(Value);
        if (Value == 0 && double.IsNegative(Value)) return "-0.0";
        return Math.Abs(Value) < 1e21 && Value % 1 == 0 ? JsText.Number(Value) + ".0" : JsText.Number(Value);
    }
}

internal sealed class StringValue(string value) : JinjaValue
{
    public string Value { get; } = value;
    public override string TypeName => "string";
    public override bool IsTruthy => Value.Length > 0;
    public override string Render() => Value;
}

/// <summary>A list, or a tuple (which the reference cannot serialise and does not count as iterable).</summary>
internal sealed class ListValue(IReadOnlyList<JinjaValue> items, bool isTuple = false) : JinjaValue
{
    public IReadOnlyList<JinjaValue> Items { get; } = items;
    public bool IsTuple { get; } = isTuple;
    public override string TypeName => IsTuple ? "tuple" : "list";
    public override bool IsTruthy => Items.Count > 0;
    public override string Render() => JinjaJson.Serialize(this, JsonOptions.Display);
    public override string Concatenated => string.Join(",", Items.Select(item => item.Render()));
}

/// <summary>A dict (insertion-ordered, as a JavaScript Map), or a namespace() object, whose attributes can be set.</summary>
internal sealed class DictValue(OrderedDictionary<string, JinjaValue> entries, bool isNamespace = false) : JinjaValue
{
    public OrderedDictionary<string, JinjaValue> Entries { get; } = entries;
    public bool IsNamespace { get; } = isNamespace;
    public override string TypeName => IsNamespace ? "namespace" : "dict";
    public override bool IsTruthy => IsNamespace || Entries.Count > 0;
    public override string Render() => JinjaJson.Serialize(this, JsonOptions.Display);
    public override string Concatenated => "[object Map]";

    public ListValue Items() => new(Entries.Select(e => (JinjaValue)new ListValue([new StringValue(e.Key), e.Value])).ToList());
}

internal sealed record Arguments(IReadOnlyList<JinjaValue> Positional, IReadOnlyDictionary<string, JinjaValue> Keyword)
{
    public static readonly Arguments None = new([], new Dictionary<string, JinjaValue>());

    /// <summary>The argument at <paramref name="index"/>, else the keyword argument <paramref name="keyword"/>, else null.</summary>
    public JinjaValue? Get(int index, string? keyword = null) =>
        index < Positional.Count ? Positional[index] : keyword is not null ? Keyword.GetValueOrDefault(keyword) : null;
}

/// <summary>A built-in function or method, or a macro; macros see the caller's scope, as in the reference.</summary>
internal sealed class FunctionValue(string name, Func<Arguments, Scope?, JinjaValue> invoke) : JinjaValue
{
    public FunctionValue(string name, Func<Arguments, JinjaValue> invoke) : this(name, (arguments, _) => invoke(arguments)) { }

    public string Name { get; } = name;
    public override string TypeName => "function";
    public override string Render() => $"function {Name}";
    public JinjaValue Invoke(Arguments arguments, Scope? caller = null) => invoke(arguments, caller);
}

internal sealed record JsonOptions(int? Indent = null, bool EnsureAscii = false, (string Item, string Key)? Separators = null,
    bool SortKeys = false, bool UndefinedAsNull = true)
{
    /// <summary>How lists and dicts render in output: like tojson, except that undefined stays "undefined".</summary>
    public static readonly JsonOptions Display = new(UndefinedAsNull: false);

    public string ItemSeparator => Separators?.Item ?? (Indent > 0 ? "," : ", ");
    public string KeySeparator => Separators?.Key ?? ": ";
}

/// <summary>The reference's toJSON: Python's json.dumps layout (", " and ": " separators, indent) over JavaScript's
/// JSON.stringify of scalars (so 1.0 gives 1).</summary>
internal static class JinjaJson
{
    public static string Serialize(JinjaValue value, JsonOptions options, int depth = 0) => value switch
    {
        NoneValue => "null",
        UndefinedValue => options.UndefinedAsNull ? "null" : "undefined",
        NumberValue number => double.IsFinite(number.Value) ? JsText.Number(number.Value) : "null",
        BoolValue boolean => boolean.Render(),
        StringValue text => Quote(text.Value, options),
        ListValue { IsTuple: false } list => Array(list, options, depth),
        DictValue dict => Object(dict, options, depth),
        _ => throw new JinjaException($"cannot convert a {value.TypeName} to JSON"),
    };

    private static string Quote(string text, JsonOptions options)
    {
        var json = JsText.JsonQuote(text);
        if (!options.EnsureAscii) return json;
        var ascii = new StringBuilder(json.Length);
        foreach (var c in json) ascii.Append(c >= '\x7f' ? $"\\u{(int)c:x4}" : c.ToString());
        return ascii.ToString();
    }

    private static string Array(ListValue list, JsonOptions options, int depth) =>
        Layout('[', ']', list.Items.Select(item => Serialize(item, options, depth + 1)).ToList(), options, depth);

    private static string Object(DictValue dict, JsonOptions options, int depth)
    {
        IEnumerable<KeyValuePair<string, JinjaValue>> entries = dict.Entries;
        if (options.SortKeys) entries = entries.OrderBy(e => e.Key, StringComparer.InvariantCulture);
        var members = entries.Select(e => Quote(e.Key, options) + options.KeySeparator + Serialize(e.Value, options, depth + 1));
        return Layout('{', '}', members.ToList(), options, depth);
    }

    private static string Layout(char open, char close, List<string> members, JsonOptions options, int depth)
    {
        if (options.Indent is not > 0 || members.Count == 0) return open + string.Join(options.ItemSeparator, members) + close;
        var unit = new string(' ', options.Indent.Value);
        var outer = "\n" + string.Concat(Enumerable.Repeat(unit, depth));
        var inner = outer + unit;
        return open + inner + string.Join(options.ItemSeparator + inner, members) + outer + close;
    }
}
