using System.Text.RegularExpressions;

namespace Pipeline.Data.Chat;

/// <summary>`a.b` and `a[b]`: dict entries, list and string indexing, and the reference's built-in methods
/// (Python-like string methods, dict.get/items/keys/values, `length` on lists and strings).</summary>
internal static partial class JinjaMembers
{
    public static JinjaValue Get(JinjaValue target, JinjaValue property) => target switch
    {
        DictValue dict => DictMember(dict, property),
        ListValue or StringValue when property is NumberValue { IsFloat: false } index => ItemAt(target, (long)index.Value),
        ListValue list when property is StringValue name => name.Value == "length" ? Integer(list.Items.Count) : UndefinedValue.Instance,
        StringValue text when property is StringValue name => StringMember(text.Value, name.Value),
        ListValue or StringValue => throw new JinjaException($"cannot index a {target.TypeName} with a {property.TypeName}"),
        _ when property is StringValue => UndefinedValue.Instance,
        _ => throw new JinjaException($"cannot index a {target.TypeName} with a {property.TypeName}"),
    };

    public static NumberValue Integer(double value) => new(value, IsFloat: false);

    private static JinjaValue DictMember(DictValue dict, JinjaValue property)
    {
        if (property is not StringValue name) throw new JinjaException($"cannot index a {dict.TypeName} with a {property.TypeName}");
        if (dict.Entries.TryGetValue(name.Value, out var value)) return value;
        return dict.IsNamespace ? UndefinedValue.Instance : DictMethod(dict, name.Value) ?? (JinjaValue)UndefinedValue.Instance;
    }

    /// <summary>JavaScript's Array.prototype.at: negative indexes count from the end; strings index UTF-16 code units.</summary>
    private static JinjaValue ItemAt(JinjaValue target, long index)
    {
        var count = target is ListValue list ? list.Items.Count : ((StringValue)target).Value.Length;
        if (index < 0) index += count;
        if (index < 0 || index >= count) return UndefinedValue.Instance;
        return target is ListValue items ? items.Items[(int)index] : new StringValue(((StringValue)target).Value[(int)index].ToString());
    }

    public static FunctionValue? DictMethod(DictValue dict, string name) => name switch
    {
        "get" => Method(name, a => a.Get(0) is StringValue key
            ? dict.Entries.GetValueOrDefault(key.Value) ?? a.Get(1) ?? NoneValue.Instance
            : throw new JinjaException("dict.get() needs a string key")),
        "items" => Method(name, _ => dict.Items()),
        "keys" => Method(name, _ => new ListValue(dict.Entries.Keys.Select(k => (JinjaValue)new StringValue(k)).ToList())),
        "values" => Method(name, _ => new ListValue(dict.Entries.Values.ToList())),
        "dictsort" => Method(name, a => DictSort(dict, a)),
        _ => null,
    };

    private static ListValue DictSort(DictValue dict, Arguments arguments)
    {
        var caseSensitive = JinjaFilters.Flag(arguments.Get(0, "case_sensitive"), "case_sensitive");
        var byValue = (arguments.Get(1, "by") ?? new StringValue("key")) switch
        {
            StringValue { Value: "key" } => false,
            StringValue { Value: "value" } => true,
            _ => throw new JinjaException("dictsort: by must be 'key' or 'value'"),
        };
        var reverse = JinjaFilters.Flag(arguments.Get(2, "reverse"), "reverse");
        var pairs = dict.Items().Items.Cast<ListValue>().ToList();
        pairs.Sort((a, b) => (reverse ? -1 : 1) * JinjaFilters.Compare(a.Items[byValue ? 1 : 0], b.Items[byValue ? 1 : 0], caseSensitive));
        return new ListValue(pairs);
    }

    private static JinjaValue StringMember(string text, string name) => name switch
    {
        "length" => Integer(text.Length),
        "upper" => Method(name, _ => new StringValue(text.ToUpperInvariant())),
        "lower" => Method(name, _ => new StringValue(text.ToLowerInvariant())),
        "title" => Method(name, _ => new StringValue(TitleCase(text))),
        "capitalize" => Method(name, _ => new StringValue(Capitalize(text))),
        // As in the reference, strip/lstrip/rstrip ignore an argument: they always remove whitespace.
        "strip" => Method(name, _ => new StringValue(JsText.Trim(text))),
        "lstrip" => Method(name, _ => new StringValue(JsText.TrimStart(text))),
        "rstrip" => Method(name, _ => new StringValue(JsText.TrimEnd(text))),
        "startswith" => Method(name, a => BoolValue.Of(AnyAffix(name, a, affix => text.StartsWith(affix, StringComparison.Ordinal)))),
        "endswith" => Method(name, a => BoolValue.Of(AnyAffix(name, a, affix => text.EndsWith(affix, StringComparison.Ordinal)))),
        "split" => Method(name, a => Split(text, a)),
        "replace" => Method(name, a => Replace(text, a)),
        _ => UndefinedValue.Instance,
    };

    private static FunctionValue Method(string name, Func<Arguments, JinjaValue> invoke) => new(name, invoke);

    /// <summary>JavaScript's /\b\w/g upper-cased: only ASCII word characters start a word, and the rest is kept as is.</summary>
    public static string TitleCase(string text) => WordStart().Replace(text, m => m.Value.ToUpperInvariant());

    public static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private static bool AnyAffix(string method, Arguments arguments, Func<string, bool> matches) => arguments.Get(0) switch
    {
        StringValue affix => matches(affix.Value),
        ListValue affixes => affixes.Items.Any(item => item is StringValue s
            ? matches(s.Value)
            : throw new JinjaException($"{method}() tuple elements must be strings")),
        _ => throw new JinjaException($"{method}() needs a string or a tuple of strings"),
    };

    /// <summary>Python's str.split(sep=None, maxsplit=-1).</summary>
    private static ListValue Split(string text, Arguments arguments)
    {
        var separator = arguments.Get(0) ?? NoneValue.Instance;
        var maxSplit = arguments.Get(1) is { } limit
            ? limit is NumberValue { IsFloat: false } n ? (int)n.Value : throw new JinjaException("split() maxsplit must be an integer")
            : -1;
        var parts = separator switch
        {
            NoneValue => SplitOnWhitespace(text, maxSplit),
            StringValue { Value: "" } => throw new JinjaException("split() got an empty separator"),
            StringValue s => SplitOn(text, s.Value, maxSplit),
            _ => throw new JinjaException("split() separator must be a string or none"),
        };
        return new ListValue(parts.Select(p => (JinjaValue)new StringValue(p)).ToList());
    }

    private static List<string> SplitOn(string text, string separator, int maxSplit)
    {
        var parts = text.Split(separator).ToList();
        if (maxSplit == -1 || parts.Count <= maxSplit) return parts;
        return [.. parts.Take(maxSplit), string.Join(separator, parts.Skip(maxSplit))];
    }

    private static List<string> SplitOnWhitespace(string text, int maxSplit)
    {
        var trimmed = JsText.TrimStart(text);
        var parts = new List<string>();
        foreach (Match word in NonWhitespace().Matches(trimmed))
        {
            if (maxSplit != -1 && parts.Count >= maxSplit)
            {
                parts.Add(trimmed[word.Index..]);
                break;
            }
            parts.Add(word.Value);
        }
        return parts;
    }

    /// <summary>str.replace(old, new, count=None); an empty `old` inserts `new` between every code point.</summary>
    private static StringValue Replace(string text, Arguments arguments)
    {
        if (arguments.Get(0) is not StringValue old || arguments.Get(1) is not StringValue replacement)
            throw new JinjaException("replace() needs two string arguments");
        var count = (arguments.Get(2, "count") ?? NoneValue.Instance) switch
        {
            NoneValue => -1,
            NumberValue { IsFloat: false } n => (int)n.Value,
            _ => throw new JinjaException("replace() count must be an integer or none"),
        };
        if (count < 0) count = int.MaxValue;
        if (old.Value.Length == 0) return new StringValue(InsertBetween(JsText.CodePoints(text), replacement.Value, count));
        var remaining = count;
        return new StringValue(Regex.Replace(text, Regex.Escape(old.Value), m => remaining-- > 0 ? replacement.Value : m.Value));
    }

    private static string InsertBetween(List<string> codePoints, string insert, int count)
    {
        var result = new System.Text.StringBuilder();
        for (var i = 0; i <= codePoints.Count; i++)
        {
            if (i < count) result.Append(insert);
            if (i < codePoints.Count) result.Append(codePoints[i]);
        }
        return result.ToString();
    }

    [GeneratedRegex(@"(?<![A-Za-z0-9_])[A-Za-z0-9_]")]
    private static partial Regex WordStart();

    [GeneratedRegex(@"[^\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+")]
    private static partial Regex NonWhitespace();
}
