using System.Text;
using System.Text.RegularExpressions;

namespace Pipeline.Data.Chat;

/// <summary>A template error; Line is the template's 1-based line for syntax errors and 0 at render time.</summary>
internal sealed class JinjaException(string message, int line = 0) : Exception(message)
{
    public int Line { get; } = line;
}

internal enum TokenKind
{
    Text, Number, String, Identifier, Equals, OpenParen, CloseParen, OpenStatement, CloseStatement,
    OpenExpression, CloseExpression, OpenSquare, CloseSquare, OpenCurly, CloseCurly, Comma, Dot, Colon, Pipe,
    Additive, Multiplicative, Exponent, Comparison, Unary, Comment,
}

internal readonly record struct Token(TokenKind Kind, string Value, int Line);

/// <summary>The template as @huggingface/jinja preprocesses it (trailing newline, lstrip_blocks, trim_blocks and
/// {% generation %} tags removed), remembering each character's place in the original so errors name its line.</summary>
internal sealed partial class PreprocessedSource
{
    private readonly int[] lineStarts;
    private int[] origins;

    public string Text { get; private set; }

    public PreprocessedSource(string source)
    {
        Text = source;
        origins = Enumerable.Range(0, source.Length).ToArray();
        lineStarts = [0, .. source.Select((c, i) => (c, i)).Where(p => p.c == '\n').Select(p => p.i + 1)];
        Delete(TrailingNewline(), _ => []);
        Delete(BlockIndent(), _ => []);
        Delete(NewlineAfterBlock(), _ => []);
        Delete(GenerationTag(), m => new[] { m.Groups["before"], m.Groups["after"] }
            .Where(g => (g.Name == "before" ? m.Groups["lstrip"] : m.Groups["rstrip"]).Length == 0));
    }

    /// <summary>The original line of the character at <paramref name="index"/> (the last one past the end).</summary>
    public int LineAt(int index)
    {
        if (origins.Length == 0) return 1;
        var original = origins[Math.Clamp(index, 0, origins.Length - 1)];
        var line = Array.BinarySearch(lineStarts, original);
        return line >= 0 ? line + 1 : ~line;
    }

    private void Delete(Regex pattern, Func<Match, IEnumerable<Group>> kept)
    {
        var removed = new bool[Text.Length];
        foreach (Match match in pattern.Matches(Text))
        {
            Array.Fill(removed, true, match.Index, match.Length);
            foreach (var group in kept(match)) Array.Fill(removed, false, group.Index, group.Length);
        }
        var text = new StringBuilder(Text.Length);
        var keptOrigins = new List<int>(Text.Length);
        for (var i = 0; i < Text.Length; i++)
        {
            if (removed[i]) continue;
            text.Append(Text[i]);
            keptOrigins.Add(origins[i]);
        }
        Text = text.ToString();
        origins = keptOrigins.ToArray();
    }

    [GeneratedRegex(@"\n\z")]
    private static partial Regex TrailingNewline();

    /// <summary>lstrip_blocks: JavaScript's multiline ^ also follows \r, U+2028 and U+2029.</summary>
    [GeneratedRegex(@"(?<![^\n\r\u2028\u2029])[ \t]*(?=\{[#%-])")]
    private static partial Regex BlockIndent();

    /// <summary>trim_blocks.</summary>
    [GeneratedRegex(@"(?<=[#%-]\})\n")]
    private static partial Regex NewlineAfterBlock();

    [GeneratedRegex(@"(?<before>" + JsText.WhitespaceClass + @"*)\{%(?<lstrip>-?)" + JsText.WhitespaceClass +
                    @"*(?:end)?generation" + JsText.WhitespaceClass + @"*(?<rstrip>-?)%\}(?<after>" + JsText.WhitespaceClass + "*)")]
    private static partial Regex GenerationTag();
}

/// <summary>Splits a template into tokens exactly as @huggingface/jinja's tokenize() does.</summary>
internal sealed class JinjaLexer
{
    private static readonly (string Text, TokenKind Kind)[] Symbols =
    [
        ("{%", TokenKind.OpenStatement), ("%}", TokenKind.CloseStatement), ("{{", TokenKind.OpenExpression),
        ("}}", TokenKind.CloseExpression), ("(", TokenKind.OpenParen), (")", TokenKind.CloseParen),
        ("{", TokenKind.OpenCurly), ("}", TokenKind.CloseCurly), ("[", TokenKind.OpenSquare), ("]", TokenKind.CloseSquare),
        (",", TokenKind.Comma), (".", TokenKind.Dot), (":", TokenKind.Colon), ("|", TokenKind.Pipe),
        ("<=", TokenKind.Comparison), (">=", TokenKind.Comparison), ("==", TokenKind.Comparison), ("!=", TokenKind.Comparison),
        ("<", TokenKind.Comparison), (">", TokenKind.Comparison), ("+", TokenKind.Additive), ("-", TokenKind.Additive),
        ("~", TokenKind.Additive), ("**", TokenKind.Exponent), ("*", TokenKind.Multiplicative),
        ("//", TokenKind.Multiplicative), ("/", TokenKind.Multiplicative), ("%", TokenKind.Multiplicative),
        ("=", TokenKind.Equals),
    ];

    private static readonly Dictionary<char, char> Escapes = new()
    {
        ['n'] = '\n', ['t'] = '\t', ['r'] = '\r', ['b'] = '\b', ['f'] = '\f', ['v'] = '\v',
        ['\''] = '\'', ['"'] = '"', ['\\'] = '\\',
    };

    private readonly PreprocessedSource source;
    private readonly string text;
    private readonly List<Token> tokens = [];
    private int position;
    private int curlyDepth;

    private JinjaLexer(string template)
    {
        source = new PreprocessedSource(template);
        text = source.Text;
    }

    public static IReadOnlyList<Token> Tokenize(string template) => new JinjaLexer(template).Run();

    private IReadOnlyList<Token> Run()
    {
        while (position < text.Length) ReadNext();
        return tokens;
    }

    private void ReadNext()
    {
        if (ExpectsText() && TryReadText()) return;
        if (At("{#")) ReadComment();
        else if (At("{%-")) OpenTagStrippingBefore(TokenKind.OpenStatement, "{%");
        else if (At("{{-")) OpenTagStrippingBefore(TokenKind.OpenExpression, "{{");
        else ReadInsideTag();
    }

    private void ReadInsideTag()
    {
        SkipWhitespace();
        var start = position;
        if (At("-%}")) CloseTagStrippingAfter(TokenKind.CloseStatement, "%}");
        else if (At("-}}")) CloseTagStrippingAfter(TokenKind.CloseExpression, "}}");
        else if (IsSignPrefix()) ReadSigned();
        else if (TryReadSymbol()) { }
        else if (Current is '\'' or '"') ReadString();
        else if (char.IsAsciiDigit(Current)) ReadNumber();
        else if (IsWordChar(Current)) Add(TokenKind.Identifier, ConsumeWhile(IsWordChar), start);
        else throw Error($"unexpected character '{Current}'");
    }

    private char Current => position < text.Length ? text[position] : '\0';

    private bool At(string symbol) => string.CompareOrdinal(text, position, symbol, 0, symbol.Length) == 0;

    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private TokenKind? LastKind => tokens.Count == 0 ? null : tokens[^1].Kind;

    private bool ExpectsText() => LastKind is null or TokenKind.CloseStatement or TokenKind.CloseExpression or TokenKind.Comment;

    private void Add(TokenKind kind, string value, int start) => tokens.Add(new Token(kind, value, source.LineAt(start)));

    private JinjaException Error(string message) => new(message, source.LineAt(position));

    private bool TryReadText()
    {
        var start = position;
        while (position < text.Length && !(text[position] == '{' && position + 1 < text.Length && text[position + 1] is '%' or '{' or '#'))
            position++;
        if (position == start) return false;
        Add(TokenKind.Text, text[start..position], start);
        return true;
    }

    private void ReadComment()
    {
        var start = position;
        position += 2;
        var stripBefore = Current == '-';
        if (stripBefore) position++;
        var commentStart = position;
        while (!At("#}"))
        {
            if (position + 2 >= text.Length) throw new JinjaException("missing end of comment tag '#}'", source.LineAt(start));
            position++;
        }
        var stripAfter = position > commentStart && text[position - 1] == '-';
        if (stripBefore) StripTrailingWhitespace();
        Add(TokenKind.Comment, text[commentStart..position], start);
        position += 2;
        if (stripAfter) SkipWhitespace();
    }

    private void OpenTagStrippingBefore(TokenKind kind, string value)
    {
        StripTrailingWhitespace();
        Add(kind, value, position);
        if (kind == TokenKind.OpenExpression) curlyDepth = 0;
        position += 3;
    }

    private void CloseTagStrippingAfter(TokenKind kind, string value)
    {
        Add(kind, value, position);
        position += 3;
        SkipWhitespace();
    }

    private void StripTrailingWhitespace()
    {
        if (LastKind != TokenKind.Text) return;
        var trimmed = JsText.TrimEnd(tokens[^1].Value);
        if (trimmed.Length == 0) tokens.RemoveAt(tokens.Count - 1);
        else tokens[^1] = tokens[^1] with { Value = trimmed };
    }

    private void SkipWhitespace()
    {
        while (position < text.Length && JsText.IsWhitespace(text[position])) position++;
    }

    /// <summary>A '-' or '+' that cannot be a binary operator: a unary sign, or part of a negative number literal.</summary>
    private bool IsSignPrefix()
    {
        if (Current is not ('-' or '+')) return false;
        if (LastKind is null or TokenKind.Text) throw Error($"unexpected character '{Current}'");
        return LastKind is not (TokenKind.Identifier or TokenKind.Number or TokenKind.String or TokenKind.CloseParen or TokenKind.CloseSquare);
    }

    private void ReadSigned()
    {
        var start = position;
        var sign = text[position++];
        var number = ReadDigitsWithFraction(allowFraction: true);
        Add(number.Length > 0 ? TokenKind.Number : TokenKind.Unary, sign + number, start);
    }

    private void ReadNumber()
    {
        var start = position;
        Add(TokenKind.Number, ReadDigitsWithFraction(allowFraction: LastKind != TokenKind.Dot), start);
    }

    private string ReadDigitsWithFraction(bool allowFraction)
    {
        var number = ConsumeWhile(char.IsAsciiDigit);
        if (number.Length > 0 && allowFraction && Current == '.' && position + 1 < text.Length && char.IsAsciiDigit(text[position + 1]))
        {
            position++;
            number += "." + ConsumeWhile(char.IsAsciiDigit);
        }
        return number;
    }

    private bool TryReadSymbol()
    {
        foreach (var (symbol, kind) in Symbols)
        {
            if (symbol == "}}" && curlyDepth > 0) continue;
            if (!At(symbol)) continue;
            Add(kind, symbol, position);
            curlyDepth = kind switch
            {
                TokenKind.OpenExpression => 0,
                TokenKind.OpenCurly => curlyDepth + 1,
                TokenKind.CloseCurly => curlyDepth - 1,
                _ => curlyDepth,
            };
            position += symbol.Length;
            return true;
        }
        return false;
    }

    private void ReadString()
    {
        var start = position;
        var quote = text[position++];
        var value = ConsumeWhile(c => c != quote);
        Add(TokenKind.String, value, start);
        position++;
    }

    /// <summary>Reads while the predicate holds, resolving backslash escapes; running into the end is an error
    /// (as in the reference, whose tags and strings always need a closing delimiter).</summary>
    private string ConsumeWhile(Func<char, bool> predicate)
    {
        var consumed = new StringBuilder();
        while (position < text.Length && predicate(text[position]))
        {
            if (text[position] == '\\')
            {
                consumed.Append(ReadEscape());
                continue;
            }
            consumed.Append(text[position++]);
            if (position >= text.Length) throw Error("unexpected end of template");
        }
        return consumed.ToString();
    }

    private string ReadEscape()
    {
        if (++position >= text.Length) throw Error("unexpected end of template");
        var escaped = text[position++];
        if (escaped is 'x' or 'u')
        {
            var length = escaped == 'x' ? 2 : 4;
            var hex = text.Substring(position, Math.Min(length, text.Length - position));
            if (hex.Length != length || !hex.All(char.IsAsciiHexDigit)) throw Error($"invalid escape sequence \\{escaped}{hex}");
            position += length;
            return ((char)Convert.ToInt32(hex, 16)).ToString();
        }
        return Escapes.TryGetValue(escaped, out var unescaped)
            ? unescaped.ToString()
            : throw Error($"unexpected escaped character '{escaped}'");
    }
}
