using System.Globalization;
using System.Text.RegularExpressions;

namespace Pipeline.Data.Chat;

/// <summary>The reference's filters. `x | f` and `x | f(...)` are separate tables there (so `| default` needs its
/// parentheses and `| upper()` is an error), and each filter accepts only certain operand types.</summary>
internal static partial class JinjaFilters
{
    public static JinjaValue Apply(JinjaValue operand, string name, Arguments? arguments) => (name, arguments) switch
    {
        ("safe", null) => operand,
        ("tojson", null) => new StringValue(JinjaJson.Serialize(operand, new JsonOptions())),
        (_, null) => ApplyBare(operand, name),
        ("tojson", _) => new StringValue(JinjaJson.Serialize(operand, JsonOptionsFrom(arguments))),
        ("join", _) => Join(operand, arguments),
        ("int" or "float", _) => ToNumber(operand, name, arguments),
        ("default", _) => Default(operand, arguments),
        _ => ApplyWithArguments(operand, name, arguments),
    };

    private static JinjaValue ApplyBare(JinjaValue operand, string name) => operand switch
    {
        ListValue list => ListFilter(list, name),
        StringValue text => StringFilter(text, name),
        NumberValue number => NumberFilter(number, name),
        DictValue { IsNamespace: false } dict => name switch
        {
            "items" => dict.Items(),
            "length" => JinjaMembers.Integer(dict.Entries.Count),
            _ => JinjaMembers.DictMethod(dict, name)?.Invoke(Arguments.None) ?? throw Unknown(name, operand),
        },
        BoolValue boolean => name switch
        {
            "bool" => boolean,
            "int" => JinjaMembers.Integer(boolean.Value ? 1 : 0),
            "float" => new NumberValue(boolean.Value ? 1 : 0, IsFloat: true),
            "string" => new StringValue(boolean.Render()),
            _ => throw Unknown(name, operand),
        },
        _ => throw Unknown(name, operand),
    };

    private static JinjaException Unknown(string name, JinjaValue operand) => new($"cannot apply the filter '{name}' to a {operand.TypeName}");

    private static JinjaValue ListFilter(ListValue list, string name) => name switch
    {
        "list" => list,
        "first" => list.Items.Count > 0 ? list.Items[0] : throw new JinjaException("'first' of an empty list"),
        "last" => list.Items.Count > 0 ? list.Items[^1] : throw new JinjaException("'last' of an empty list"),
        "length" => JinjaMembers.Integer(list.Items.Count),
        "reverse" => new ListValue(list.Items.Reverse().ToList()),
        "sort" => Sorted(list, reverse: false, caseSensitive: false, attribute: null),
        "join" => new StringValue(string.Concat(list.Items.Select(JoinPart))),
        "string" => new StringValue(list.Render()),
        "unique" => new ListValue(list.Items.Where((item, i) => !list.Items.Take(i).Any(seen => JinjaOperators.StrictlyEqual(seen, item))).ToList()),
        _ => throw Unknown(name, list),
    };

    private static JinjaValue StringFilter(StringValue text, string name) => name switch
    {
        "length" => JinjaMembers.Integer(text.Value.Length),
        "upper" => new StringValue(text.Value.ToUpperInvariant()),
        "lower" => new StringValue(text.Value.ToLowerInvariant()),
        "title" => new StringValue(JinjaMembers.TitleCase(text.Value)),
        "capitalize" => new StringValue(JinjaMembers.Capitalize(text.Value)),
        "trim" => new StringValue(JsText.Trim(text.Value)),
        "indent" => Indent(text.Value, 4, first: false, blank: false),
        "join" or "string" => text,
        "int" => ParseInteger(text.Value) ?? JinjaMembers.Integer(0),
        "float" => ParseFloat(text.Value) ?? new NumberValue(0, IsFloat: true),
        _ => throw Unknown(name, text),
    };

    private static JinjaValue NumberFilter(NumberValue number, string name) => name switch
    {
        "abs" => new NumberValue(Math.Abs(number.Value), number.IsFloat),
        "int" => JinjaMembers.Integer(Math.Floor(number.Value)),
        "float" => new NumberValue(number.Value, IsFloat: true),
        "string" => new StringValue(number.Render()),
        _ => throw Unknown(name, number),
    };

    private static JinjaValue ApplyWithArguments(JinjaValue operand, string name, Arguments arguments) => (operand, name) switch
    {
        (ListValue list, "sort") => Sorted(list, Flag(arguments.Get(0, "reverse"), "reverse"),
            Flag(arguments.Get(1, "case_sensitive"), "case_sensitive"), AttributePath(arguments.Get(2, "attribute"))),
        (ListValue list, "map") => Map(list, arguments),
        (ListValue list, "selectattr" or "rejectattr") => SelectAttribute(list, arguments, select: name == "selectattr"),
        (StringValue text, "indent") => Indent(text.Value, IndentWidth(arguments.Get(0, "width")),
            arguments.Get(1, "first")?.IsTruthy ?? false, arguments.Get(2, "blank")?.IsTruthy ?? false),
        (StringValue text, "replace") => JinjaMembers.Get(text, new StringValue("replace")) is FunctionValue replace
            ? replace.Invoke(arguments)
            : throw Unknown(name, operand),
        (DictValue { IsNamespace: false } dict, _) => JinjaMembers.DictMethod(dict, name)?.Invoke(arguments) ?? throw Unknown(name, operand),
        _ => throw Unknown(name, operand),
    };

    private static JsonOptions JsonOptionsFrom(Arguments arguments)
    {
        var indent = arguments.Keyword.GetValueOrDefault("indent") switch
        {
            null or NoneValue => (int?)null,
            NumberValue { IsFloat: false } n => (int)n.Value,
            _ => throw new JinjaException("tojson: indent must be an integer"),
        };
        var separators = arguments.Keyword.GetValueOrDefault("separators") switch
        {
            null or NoneValue => ((string, string)?)null,
            ListValue { Items: [StringValue item, StringValue key] } => (item.Value, key.Value),
            _ => throw new JinjaException("tojson: separators must be a tuple of two strings"),
        };
        return new JsonOptions(indent, Flag(arguments.Keyword.GetValueOrDefault("ensure_ascii"), "ensure_ascii"), separators,
            Flag(arguments.Keyword.GetValueOrDefault("sort_keys"), "sort_keys"));
    }

    /// <summary>A boolean argument, false when absent.</summary>
    public static bool Flag(JinjaValue? value, string name) => value switch
    {
        null => false,
        BoolValue b => b.Value,
        _ => throw new JinjaException($"{name} must be a boolean"),
    };

    private static StringValue Join(JinjaValue operand, Arguments arguments)
    {
        var parts = operand switch
        {
            StringValue text => JsText.CodePoints(text.Value),
            ListValue list => list.Items.Select(JoinPart).ToList(),
            _ => throw Unknown("join", operand),
        };
        var separator = arguments.Get(0, "separator") ?? new StringValue("");
        return separator is StringValue s ? new StringValue(string.Join(s.Value, parts)) : throw new JinjaException("join: the separator must be a string");
    }

    /// <summary>Array.prototype.join of the underlying values: none and undefined become empty.</summary>
    private static string JoinPart(JinjaValue item) => item is NoneValue or UndefinedValue ? "" : item.Concatenated;

    private static JinjaValue ToNumber(JinjaValue operand, string name, Arguments arguments)
    {
        var isInt = name == "int";
        var fallback = arguments.Get(0, "default") ?? new NumberValue(0, IsFloat: !isInt);
        return operand switch
        {
            StringValue text => (isInt ? ParseInteger(text.Value) : ParseFloat(text.Value)) ?? fallback,
            NumberValue => operand,
            BoolValue b => new NumberValue(b.Value ? 1 : 0, IsFloat: !isInt),
            _ => throw Unknown(name, operand),
        };
    }

    private static JinjaValue Default(JinjaValue operand, Arguments arguments)
    {
        var fallback = arguments.Get(0) ?? new StringValue("");
        var whenFalsy = Flag(arguments.Get(1, "boolean"), "boolean");
        return operand is UndefinedValue || (whenFalsy && !operand.IsTruthy) ? fallback : operand;
    }

    /// <summary>JavaScript's parseInt(text, 10): the leading integer, ignoring what follows.</summary>
    private static NumberValue? ParseInteger(string text)
    {
        var match = LeadingInteger().Match(JsText.TrimStart(text));
        return match.Success ? JinjaMembers.Integer(double.Parse(match.Value, CultureInfo.InvariantCulture)) : null;
    }

    /// <summary>JavaScript's parseFloat(text): the leading decimal number, ignoring what follows.</summary>
    private static NumberValue? ParseFloat(string text)
    {
        var match = LeadingFloat().Match(JsText.TrimStart(text));
        if (!match.Success) return null;
        var value = match.Value.TrimStart('+', '-') == "Infinity"
            ? (match.Value[0] == '-' ? double.NegativeInfinity : double.PositiveInfinity)
            : double.Parse(match.Value, NumberStyles.Float, CultureInfo.InvariantCulture);
        return new NumberValue(value, IsFloat: true);
    }

    private static StringValue Indent(string text, int width, bool first, bool blank)
    {
        var padding = new string(' ', width);
        var lines = text.Split('\n').Select((line, i) => (i == 0 && !first) || (line.Length == 0 && !blank) ? line : padding + line);
        return new StringValue(string.Join("\n", lines));
    }

    private static int IndentWidth(JinjaValue? width) => width switch
    {
        null => 4,
        NumberValue { IsFloat: false } n => (int)n.Value,
        _ => throw new JinjaException("indent: width must be an integer"),
    };

    private static string? AttributePath(JinjaValue? attribute) => attribute switch
    {
        null or NoneValue => null,
        StringValue s => s.Value,
        NumberValue { IsFloat: false } n => JsText.Number(n.Value),
        _ => throw new JinjaException("sort: attribute must be a string or an integer"),
    };

    private static ListValue Sorted(ListValue list, bool reverse, bool caseSensitive, string? attribute)
    {
        var items = list.Items.ToList();
        JinjaValue Key(JinjaValue item) => attribute is null ? item : AttributeAt(item, attribute);
        // A stable sort, as JavaScript's Array.prototype.sort.
        var sorted = items.Select((item, i) => (item, i)).Order(Comparer<(JinjaValue item, int i)>.Create((a, b) =>
        {
            var order = (reverse ? -1 : 1) * Compare(Key(a.item), Key(b.item), caseSensitive);
            return order != 0 ? order : a.i.CompareTo(b.i);
        }));
        return new ListValue(sorted.Select(p => p.item).ToList());
    }

    /// <summary>`a.b.0`-style paths into dicts and lists; undefined where a step is missing.</summary>
    private static JinjaValue AttributeAt(JinjaValue item, string path)
    {
        foreach (var part in path.Split('.'))
        {
            item = item switch
            {
                DictValue dict => dict.Entries.GetValueOrDefault(part) ?? UndefinedValue.Instance,
                ListValue list when int.TryParse(part, out var i) && i >= 0 && i < list.Items.Count => list.Items[i],
                _ => UndefinedValue.Instance,
            };
            if (item is UndefinedValue) break;
        }
        return item;
    }

    private static ListValue Map(ListValue list, Arguments arguments)
    {
        if (arguments.Keyword.GetValueOrDefault("attribute") is not StringValue attribute)
            throw new JinjaException("map is supported only with attribute='…'");
        var fallback = arguments.Keyword.GetValueOrDefault("default") ?? UndefinedValue.Instance;
        return new ListValue(list.Items.Select(item => item is DictValue
            ? AttributeAt(item, attribute.Value) is UndefinedValue ? fallback : AttributeAt(item, attribute.Value)
            : throw new JinjaException("map: the items must be dicts")).ToList());
    }

    private static ListValue SelectAttribute(ListValue list, Arguments arguments, bool select)
    {
        if (list.Items.Any(item => item is not DictValue)) throw new JinjaException("selectattr/rejectattr need a list of dicts");
        if (arguments.Positional.Any(a => a is not StringValue)) throw new JinjaException("selectattr/rejectattr take string arguments");
        var attribute = ((StringValue)arguments.Positional[0]).Value;
        Func<JinjaValue, bool> test = arguments.Get(1) is StringValue name ? JinjaPredicates.Get(name.Value) : value => value.IsTruthy;
        bool Passes(JinjaValue item) => ((DictValue)item).Entries.TryGetValue(attribute, out var value) && test(value);
        return new ListValue(list.Items.Where(item => Passes(item) == select).ToList());
    }

    /// <summary>The reference's ordering: numbers (and booleans) by value, strings by UTF-16 code unit, optionally
    /// ignoring case; none and undefined only equal themselves; anything else cannot be compared.</summary>
    public static int Compare(JinjaValue a, JinjaValue b, bool caseSensitive)
    {
        if (a is NoneValue && b is NoneValue || a is UndefinedValue && b is UndefinedValue) return 0;
        if (a is NoneValue or UndefinedValue || b is NoneValue or UndefinedValue)
            throw new JinjaException($"cannot compare {a.TypeName} with {b.TypeName}");
        if (a is NumberValue or BoolValue && b is NumberValue or BoolValue) return Numeric(a).CompareTo(Numeric(b));
        if (a is StringValue x && b is StringValue y)
        {
            var (left, right) = caseSensitive ? (x.Value, y.Value) : (x.Value.ToLowerInvariant(), y.Value.ToLowerInvariant());
            return Math.Sign(string.CompareOrdinal(left, right));
        }
        throw new JinjaException($"cannot compare {a.TypeName} with {b.TypeName}");
    }

    private static double Numeric(JinjaValue value) => value is BoolValue b ? (b.Value ? 1 : 0) : ((NumberValue)value).Value;

    [GeneratedRegex(@"^[+-]?[0-9]+")]
    private static partial Regex LeadingInteger();

    [GeneratedRegex(@"^[+-]?(Infinity|([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?)")]
    private static partial Regex LeadingFloat();
}

/// <summary>The tests of `x is name` and `x is not name`.</summary>
internal static class JinjaPredicates
{
    private static readonly Dictionary<string, Func<JinjaValue, bool>> Tests = new()
    {
        ["boolean"] = v => v is BoolValue,
        ["callable"] = v => v is FunctionValue,
        ["odd"] = v => Integer(v, "odd") % 2 != 0,
        ["even"] = v => Integer(v, "even") % 2 == 0,
        ["false"] = v => v is BoolValue { Value: false },
        ["true"] = v => v is BoolValue { Value: true },
        ["none"] = v => v is NoneValue,
        ["string"] = v => v is StringValue,
        ["number"] = v => v is NumberValue,
        ["integer"] = v => v is NumberValue { IsFloat: false },
        ["iterable"] = v => v is ListValue { IsTuple: false } or StringValue,
        ["mapping"] = v => v is DictValue { IsNamespace: false },
        ["sequence"] = v => v is ListValue or StringValue or DictValue { IsNamespace: false },
        ["lower"] = v => v is StringValue s && s.Value == s.Value.ToLowerInvariant(),
        ["upper"] = v => v is StringValue s && s.Value == s.Value.ToUpperInvariant(),
        ["defined"] = v => v is not UndefinedValue,
        ["undefined"] = v => v is UndefinedValue,
    };

    public static Func<JinjaValue, bool> Get(string name) =>
        Tests.GetValueOrDefault(name) ?? throw new JinjaException($"unknown test '{name}'");

    private static double Integer(JinjaValue value, string test) =>
        value is NumberValue { IsFloat: false } n ? n.Value : throw new JinjaException($"cannot test whether a {value.TypeName} is {test}");
}
