using System.Globalization;
using System.Text;

namespace Pipeline.Data.Chat;

/// <summary>JavaScript's own text rules, which @huggingface/jinja inherits and we must reproduce byte for byte:
/// its whitespace set (trim, \s), Number.prototype.toString, JSON.stringify of strings and code-point iteration.</summary>
internal static class JsText
{
    /// <summary>ECMAScript WhiteSpace and LineTerminator: unlike char.IsWhiteSpace it includes U+FEFF and excludes U+0085.</summary>
    public const string WhitespaceClass = @"[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]";

    public static bool IsWhitespace(char c) => c switch
    {
        '\t' or '\n' or '\v' or '\f' or '\r' or ' ' or '\u00a0' or '\u1680' or '\u2028' or '\u2029' or '\u202f'
            or '\u205f' or '\u3000' or '\ufeff' => true,
        >= '\u2000' and <= '\u200a' => true,
        _ => false,
    };

    public static string Trim(string text) => TrimEnd(TrimStart(text));

    public static string TrimStart(string text)
    {
        var start = 0;
        while (start < text.Length && IsWhitespace(text[start])) start++;
        return text[start..];
    }

    public static string TrimEnd(string text)
    {
        var end = text.Length;
        while (end > 0 && IsWhitespace(text[end - 1])) end--;
        return text[..end];
    }

    /// <summary>Array.from(text): code points, a lone surrogate counting as one.</summary>
    public static List<string> CodePoints(string text)
    {
        var points = new List<string>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var isPair = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            points.Add(isPair ? text.Substring(i++, 2) : text[i].ToString());
        }
        return points;
    }

    /// <summary>Number.prototype.toString(): shortest round-trip digits, plain notation from 1e-7 up to 1e21.</summary>
    public static string Number(double value)
    {
        if (double.IsNaN(value)) return "NaN";
        if (double.IsInfinity(value)) return value > 0 ? "Infinity" : "-Infinity";
        if (value == 0) return "0";
        var (digits, exponent) = ShortestDigits(Math.Abs(value));
        return (value < 0 ? "-" : "") + Layout(digits, exponent);
    }

    /// <summary>The digits d1d2…dk and the n with value = 0.d1d2…dk × 10^n.</summary>
    private static (string Digits, int Exponent) ShortestDigits(double value)
    {
        var roundTrip = value.ToString("R", CultureInfo.InvariantCulture);
        var exponentAt = roundTrip.IndexOf('E');
        var mantissa = exponentAt < 0 ? roundTrip : roundTrip[..exponentAt];
        var powerOfTen = exponentAt < 0 ? 0 : int.Parse(roundTrip[(exponentAt + 1)..], CultureInfo.InvariantCulture);
        var dot = mantissa.IndexOf('.');
        var integerPart = dot < 0 ? mantissa : mantissa[..dot];
        var allDigits = integerPart + (dot < 0 ? "" : mantissa[(dot + 1)..]);
        var leadingZeros = allDigits.Length - allDigits.TrimStart('0').Length;
        var digits = allDigits.Trim('0');
        return (digits, integerPart.Length - leadingZeros + powerOfTen);
    }

    private static string Layout(string digits, int n)
    {
        var k = digits.Length;
        if (k <= n && n <= 21) return digits + new string('0', n - k);
        if (0 < n && n <= 21) return digits[..n] + "." + digits[n..];
        if (-6 < n && n <= 0) return "0." + new string('0', -n) + digits;
        var exponent = n - 1;
        var sign = exponent < 0 ? "-" : "+";
        var mantissa = k == 1 ? digits : digits[..1] + "." + digits[1..];
        return $"{mantissa}e{sign}{Math.Abs(exponent)}";
    }

    /// <summary>JSON.stringify of a string: only quotes, backslashes, control characters and lone surrogates are escaped.</summary>
    public static string JsonQuote(string text)
    {
        var json = new StringBuilder(text.Length + 2).Append('"');
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var isPair = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            if (isPair) json.Append(c).Append(text[++i]);
            else json.Append(JsonEscape(c) ?? c.ToString());
        }
        return json.Append('"').ToString();
    }

    private static string? JsonEscape(char c) => c switch
    {
        '"' => "\\\"",
        '\\' => "\\\\",
        '\b' => "\\b",
        '\f' => "\\f",
        '\n' => "\\n",
        '\r' => "\\r",
        '\t' => "\\t",
        < ' ' => $"\\u{(int)c:x4}",
        _ when char.IsSurrogate(c) => $"\\u{(int)c:x4}",
        _ => null,
    };
}
