namespace Pipeline.Data.Chat;

/// <summary>The binary operators other than `and`/`or`, checked in the reference's order: equality first (JavaScript's
/// loose ==), then undefined and none operands are errors, then numbers, lists, strings and dicts.</summary>
internal static class JinjaOperators
{
    public static JinjaValue Apply(string op, JinjaValue left, JinjaValue right)
    {
        if (op is "==" or "!=") return BoolValue.Of(LooselyEqual(left, right) == (op == "=="));
        if (left is UndefinedValue || right is UndefinedValue)
        {
            if (right is UndefinedValue && op is "in" or "not in") return BoolValue.Of(op == "not in");
            throw new JinjaException($"cannot apply '{op}' to an undefined value");
        }
        if (left is NoneValue || right is NoneValue) throw new JinjaException($"cannot apply '{op}' to none");
        if (op == "~") return new StringValue(left.Concatenated + right.Concatenated);
        if (op == "**" && NumericValue(left) is { } @base && NumericValue(right) is { } exponent) return Power(left, right, @base, exponent);
        return (left, right) switch
        {
            (NumberValue a, NumberValue b) when Arithmetic(op, a, b) is { } result => result,
            (ListValue a, ListValue b) => op == "+" ? new ListValue([.. a.Items, .. b.Items]) : throw Unknown(op, left, right),
            (_, ListValue list) when op is "in" or "not in" => BoolValue.Of(list.Items.Any(item => StrictlyEqual(item, left)) == (op == "in")),
            _ when op == "+" && (left is StringValue || right is StringValue) =>
                new StringValue(left.Concatenated + right.Concatenated),
            (StringValue a, StringValue b) when op is "in" or "not in" => BoolValue.Of(b.Value.Contains(a.Value, StringComparison.Ordinal) == (op == "in")),
            (StringValue a, DictValue { IsNamespace: false } b) when op is "in" or "not in" => BoolValue.Of(b.Entries.ContainsKey(a.Value) == (op == "in")),
            _ => throw Unknown(op, left, right),
        };
    }

    private static JinjaException Unknown(string op, JinjaValue left, JinjaValue right) =>
        new($"unknown operator '{op}' between {left.TypeName} and {right.TypeName}");

    /// <summary>Numbers, and booleans as 0 and 1, for `**` (but not for the other arithmetic operators).</summary>
    private static double? NumericValue(JinjaValue value) => value switch
    {
        NumberValue number => number.Value,
        BoolValue boolean => boolean.Value ? 1 : 0,
        _ => null,
    };

    private static NumberValue Power(JinjaValue left, JinjaValue right, double @base, double exponent)
    {
        if (@base == 0 && exponent < 0) throw new JinjaException("0.0 cannot be raised to a negative power");
        var result = Math.Pow(@base, exponent);
        if (!double.IsFinite(result)) throw new JinjaException("exponentiation result is not a finite real number");
        var isFloat = left is NumberValue { IsFloat: true } || right is NumberValue { IsFloat: true } || exponent < 0;
        return new NumberValue(result, isFloat);
    }

    private static JinjaValue? Arithmetic(string op, NumberValue left, NumberValue right)
    {
        var (a, b) = (left.Value, right.Value);
        var isFloat = left.IsFloat || right.IsFloat;
        return op switch
        {
            "+" => new NumberValue(a + b, isFloat),
            "-" => new NumberValue(a - b, isFloat),
            "*" => new NumberValue(a * b, isFloat),
            "/" => new NumberValue(a / b, IsFloat: true),
            "//" => new NumberValue(Math.Floor(a / b), isFloat),
            "%" => new NumberValue(a % b, isFloat),
            "<" => BoolValue.Of(a < b),
            ">" => BoolValue.Of(a > b),
            "<=" => BoolValue.Of(a <= b),
            ">=" => BoolValue.Of(a >= b),
            _ => null,
        };
    }

    /// <summary>JavaScript's === on the underlying values: scalars by value, lists, dicts and functions by identity.</summary>
    public static bool StrictlyEqual(JinjaValue a, JinjaValue b) => (a, b) switch
    {
        (NumberValue x, NumberValue y) => x.Value == y.Value,
        (StringValue x, StringValue y) => x.Value == y.Value,
        (BoolValue x, BoolValue y) => x.Value == y.Value,
        (NoneValue, NoneValue) or (UndefinedValue, UndefinedValue) => true,
        _ => ReferenceEquals(a, b),
    };

    /// <summary>JavaScript's == on the underlying values: none equals undefined, and strings and booleans compare with
    /// numbers as numbers. (A list or dict against a scalar, which JavaScript converts to a string, is never equal here.)</summary>
    public static bool LooselyEqual(JinjaValue a, JinjaValue b)
    {
        var aIsNullish = a is NoneValue or UndefinedValue;
        var bIsNullish = b is NoneValue or UndefinedValue;
        if (aIsNullish || bIsNullish) return aIsNullish && bIsNullish;
        return (a, b) switch
        {
            (BoolValue x, _) => LooselyEqual(new NumberValue(x.Value ? 1 : 0, false), b),
            (_, BoolValue y) => LooselyEqual(a, new NumberValue(y.Value ? 1 : 0, false)),
            (NumberValue x, StringValue y) => x.Value == ToNumber(y.Value),
            (StringValue x, NumberValue y) => ToNumber(x.Value) == y.Value,
            _ => StrictlyEqual(a, b),
        };
    }

    /// <summary>JavaScript's Number(string) for decimal text: surrounding whitespace ignored, "" is 0, anything else NaN.</summary>
    private static double ToNumber(string text)
    {
        var trimmed = JsText.Trim(text);
        if (trimmed.Length == 0) return 0;
        if (trimmed is "Infinity" or "+Infinity") return double.PositiveInfinity;
        if (trimmed == "-Infinity") return double.NegativeInfinity;
        var isDecimal = trimmed.All(c => char.IsAsciiDigit(c) || c is '.' or 'e' or 'E' or '+' or '-');
        return isDecimal && double.TryParse(trimmed, System.Globalization.NumberStyles.Float,
            System.Globalization.CultureInfo.InvariantCulture, out var number) ? number : double.NaN;
    }
}
