using System.Globalization;

namespace Pipeline.Data.Chat;

/// <summary>Builds the syntax tree with @huggingface/jinja's grammar and operator precedence (which differs from
/// Python Jinja's: filters bind tighter than unary signs, `is` tighter than `*`).</summary>
internal sealed class JinjaParser
{
    private readonly IReadOnlyList<Token> tokens;
    private int current;

    private JinjaParser(IReadOnlyList<Token> tokens) => this.tokens = tokens;

    public static IReadOnlyList<Node> Parse(IReadOnlyList<Token> tokens)
    {
        var parser = new JinjaParser(tokens);
        var program = new List<Node>();
        while (parser.current < tokens.Count) parser.ParseInto(program);
        return program;
    }

    // ---- token helpers ----

    private bool Is(TokenKind kind) => current < tokens.Count && tokens[current].Kind == kind;

    private bool IsIdentifier(string name, int ahead = 0) =>
        current + ahead < tokens.Count && tokens[current + ahead] is { Kind: TokenKind.Identifier } token && token.Value == name;

    private bool IsStatement(params string[] names) =>
        Is(TokenKind.OpenStatement) && current + 1 < tokens.Count && tokens[current + 1].Kind == TokenKind.Identifier &&
        names.Contains(tokens[current + 1].Value);

    private Token Next() => current < tokens.Count ? tokens[current++] : throw Error("unexpected end of template");

    private Token Expect(TokenKind kind, string what)
    {
        var token = Next();
        return token.Kind == kind ? token : throw Error($"expected {what}, found '{token.Value}'", token);
    }

    private void ExpectIdentifier(string name)
    {
        if (!IsIdentifier(name)) throw Error($"expected '{name}'");
        current++;
    }

    private JinjaException Error(string message, Token? at = null)
    {
        var token = at ?? (current < tokens.Count ? tokens[current] : tokens.Count > 0 ? tokens[^1] : default);
        var where = at is null && current >= tokens.Count ? " at the end of the template" : "";
        return new JinjaException(message + where, Math.Max(token.Line, 1));
    }

    // ---- statements ----

    private void ParseInto(List<Node> body)
    {
        var token = tokens[current];
        switch (token.Kind)
        {
            case TokenKind.Comment: current++; break;
            case TokenKind.Text: current++; body.Add(new Literal(new StringValue(token.Value))); break;
            case TokenKind.OpenStatement: body.Add(ParseStatement()); break;
            case TokenKind.OpenExpression: body.Add(ParseOutput()); break;
            default: throw Error($"unexpected '{token.Value}'", token);
        }
    }

    private List<Node> ParseBodyUntil(params string[] endings)
    {
        var body = new List<Node>();
        while (!IsStatement(endings))
        {
            if (current >= tokens.Count) throw Error($"missing {{% {endings[^1]} %}}");
            ParseInto(body);
        }
        return body;
    }

    private Node ParseOutput()
    {
        current++;
        var expression = ParseExpression();
        Expect(TokenKind.CloseExpression, "'}}'");
        return expression;
    }

    private Node ParseStatement()
    {
        current++;
        var keyword = Next();
        if (keyword.Kind != TokenKind.Identifier) throw Error($"expected a statement name, found '{keyword.Value}'", keyword);
        return keyword.Value switch
        {
            "set" => ParseSet(),
            "if" => Closed(ParseIf(), "endif"),
            "for" => Closed(ParseFor(), "endfor"),
            "macro" => Closed(ParseMacro(), "endmacro"),
            "break" => Simple(new BreakStatement()),
            "continue" => Simple(new ContinueStatement()),
            _ => throw Error($"unknown or unsupported statement '{keyword.Value}'", keyword),
        };
    }

    private Node Closed(Node statement, string ending)
    {
        Expect(TokenKind.OpenStatement, "'{%'");
        ExpectIdentifier(ending);
        Expect(TokenKind.CloseStatement, "'%}'");
        return statement;
    }

    private Node Simple(Node statement)
    {
        Expect(TokenKind.CloseStatement, "'%}'");
        return statement;
    }

    private Node ParseSet()
    {
        var target = ParseExpressionSequence();
        if (Is(TokenKind.Equals))
        {
            current++;
            return Simple(new SetStatement(target, ParseExpressionSequence(), []));
        }
        Expect(TokenKind.CloseStatement, "'%}'");
        return Closed(new SetStatement(target, null, ParseBodyUntil("endset")), "endset");
    }

    /// <summary>Parses up to (not including) the closing endif; an elif is an IfStatement in the alternate branch.</summary>
    private IfStatement ParseIf()
    {
        var test = ParseExpression();
        Expect(TokenKind.CloseStatement, "'%}'");
        var body = ParseBodyUntil("elif", "else", "endif");
        List<Node> alternate = [];
        if (IsStatement("elif"))
        {
            current += 2;
            alternate.Add(ParseIf());
        }
        else if (IsStatement("else"))
        {
            current += 2;
            Expect(TokenKind.CloseStatement, "'%}'");
            alternate = ParseBodyUntil("endif");
        }
        return new IfStatement(test, body, alternate);
    }

    private ForStatement ParseFor()
    {
        var target = ParseExpressionSequence(primaryOnly: true);
        if (target is not (Identifier or ListLiteral { IsTuple: true })) throw Error("expected a loop variable or a tuple of them");
        ExpectIdentifier("in");
        var iterable = ParseExpression();
        Expect(TokenKind.CloseStatement, "'%}'");
        var body = ParseBodyUntil("else", "endfor");
        List<Node> otherwise = [];
        if (IsStatement("else"))
        {
            current += 2;
            Expect(TokenKind.CloseStatement, "'%}'");
            otherwise = ParseBodyUntil("endfor");
        }
        return new ForStatement(target, iterable, body, otherwise);
    }

    private MacroStatement ParseMacro()
    {
        if (ParsePrimary() is not Identifier name) throw Error("expected the macro's name");
        var parameters = ParseArguments();
        if (parameters.Any(p => p is not (Identifier or KeywordArgument))) throw Error("expected parameter names");
        Expect(TokenKind.CloseStatement, "'%}'");
        return new MacroStatement(name.Name, parameters, ParseBodyUntil("endmacro"));
    }

    // ---- expressions, loosest binding first ----

    private Node ParseExpressionSequence(bool primaryOnly = false)
    {
        Func<Node> parse = primaryOnly ? ParsePrimary : ParseExpression;
        var first = parse();
        if (!Is(TokenKind.Comma)) return first;
        var items = new List<Node> { first };
        while (Is(TokenKind.Comma))
        {
            current++;
            items.Add(parse());
        }
        return new ListLiteral(items, IsTuple: true);
    }

    private Node ParseExpression()
    {
        var value = ParseOr();
        if (!IsIdentifier("if")) return value;
        current++;
        var condition = ParseOr();
        if (!IsIdentifier("else")) return new SelectExpression(value, condition);
        current++;
        return new TernaryExpression(condition, value, ParseExpression());
    }

    private Node ParseOr() => ParseLeftAssociative(ParseAnd, () => IsIdentifier("or"));

    private Node ParseAnd() => ParseLeftAssociative(ParseNot, () => IsIdentifier("and"));

    private Node ParseNot()
    {
        Node? negation = null;
        while (IsIdentifier("not"))
        {
            current++;
            negation = new UnaryExpression("not", ParseNot());
        }
        return negation ?? ParseComparison();
    }

    private Node ParseComparison()
    {
        var left = ParseAdditive();
        while (ComparisonOperator() is { } op) left = new BinaryExpression(op, left, ParseAdditive());
        return left;
    }

    private string? ComparisonOperator()
    {
        if (IsIdentifier("not") && IsIdentifier("in", ahead: 1))
        {
            current += 2;
            return "not in";
        }
        return IsIdentifier("in") || Is(TokenKind.Comparison) ? tokens[current++].Value : null;
    }

    private Node ParseAdditive() => ParseLeftAssociative(ParseMultiplicative, () => Is(TokenKind.Additive));

    private Node ParseMultiplicative() => ParseLeftAssociative(ParsePower, () => Is(TokenKind.Multiplicative));

    private Node ParsePower() => ParseLeftAssociative(ParseTest, () => Is(TokenKind.Exponent));

    private Node ParseLeftAssociative(Func<Node> operand, Func<bool> atOperator)
    {
        var left = operand();
        while (atOperator())
        {
            var op = tokens[current++].Value;
            left = new BinaryExpression(op, left, operand());
        }
        return left;
    }

    private Node ParseTest()
    {
        var operand = ParseFilter();
        while (IsIdentifier("is"))
        {
            current++;
            var negated = IsIdentifier("not");
            if (negated) current++;
            if (ParsePrimary() is not Identifier test) throw Error("expected the name of a test after 'is'");
            operand = new TestExpression(operand, test.Name, negated);
        }
        return operand;
    }

    private Node ParseFilter()
    {
        var operand = ParseSign();
        while (Is(TokenKind.Pipe))
        {
            current++;
            if (ParsePrimary() is not Identifier filter) throw Error("expected the name of a filter after '|'");
            var arguments = Is(TokenKind.OpenParen) ? ParseArguments() : null;
            if (Is(TokenKind.Dot) || Is(TokenKind.OpenSquare) || Is(TokenKind.OpenParen))
                throw Error($"cannot access a member or call the filter '{filter.Name}' itself");
            operand = new FilterExpression(operand, filter.Name, arguments);
        }
        return operand;
    }

    private Node ParseSign()
    {
        if (current < tokens.Count && tokens[current] is { Kind: TokenKind.Unary or TokenKind.Additive, Value: "-" or "+" } sign)
        {
            current++;
            return new UnaryExpression(sign.Value, ParseSign());
        }
        return ParseCallOrMember(ParsePrimary());
    }

    private Node ParseCallOrMember(Node node)
    {
        while (true)
        {
            if (Is(TokenKind.Dot) || Is(TokenKind.OpenSquare)) node = new MemberExpression(node, ParseMemberProperty());
            else if (Is(TokenKind.OpenParen)) node = new CallExpression(node, ParseArguments());
            else return node;
        }
    }

    private Node ParseMemberProperty()
    {
        if (Next().Kind == TokenKind.Dot)
        {
            return ParsePrimary() switch
            {
                Identifier name => new Literal(new StringValue(name.Name)),
                Literal { Value: NumberValue { IsFloat: false } } index => index,
                _ => throw Error("expected a name or an integer after '.'"),
            };
        }
        var property = ParseSubscript();
        Expect(TokenKind.CloseSquare, "']'");
        return property;
    }

    /// <summary>The inside of `[…]`: one expression, or up to three slice bounds separated by colons.</summary>
    private Node ParseSubscript()
    {
        var parts = new List<Node?>();
        var isSlice = false;
        while (!Is(TokenKind.CloseSquare))
        {
            if (Is(TokenKind.Colon))
            {
                parts.Add(null);
                current++;
                isSlice = true;
                continue;
            }
            parts.Add(ParseExpression());
            if (!Is(TokenKind.Colon)) continue;
            current++;
            isSlice = true;
        }
        if (parts.Count == 0) throw Error("expected an index or a slice inside '[]'");
        if (!isSlice) return parts[0]!;
        if (parts.Count > 3) throw Error("a slice takes at most three parts");
        return new SliceExpression(parts[0], parts.ElementAtOrDefault(1), parts.ElementAtOrDefault(2));
    }

    /// <summary>`(a, b, name=c)`; as in the reference, the commas are optional.</summary>
    private List<Node> ParseArguments()
    {
        Expect(TokenKind.OpenParen, "'('");
        var arguments = new List<Node>();
        while (!Is(TokenKind.CloseParen))
        {
            if (current >= tokens.Count) throw Error("missing ')'");
            arguments.Add(ParseArgument(arguments));
            if (Is(TokenKind.Comma)) current++;
        }
        current++;
        return arguments;
    }

    private Node ParseArgument(List<Node> previous)
    {
        if (Is(TokenKind.Exponent) || (Is(TokenKind.Multiplicative) && tokens[current].Value == "*"))
            throw Error("argument unpacking (* and **) is not supported");
        var argument = ParseExpression();
        if (Is(TokenKind.Equals))
        {
            current++;
            if (argument is not Identifier name) throw Error("expected a name before '=' in the arguments");
            return new KeywordArgument(name.Name, ParseExpression());
        }
        if (previous.Any(p => p is KeywordArgument)) throw Error("positional arguments must come before keyword arguments");
        return argument;
    }

    private Node ParsePrimary()
    {
        var token = Next();
        return token.Kind switch
        {
            TokenKind.Number => new Literal(ParseNumber(token.Value)),
            TokenKind.String => new Literal(new StringValue(ConcatenatedStrings(token.Value))),
            TokenKind.Identifier => new Identifier(token.Value),
            TokenKind.OpenParen => Parenthesized(),
            TokenKind.OpenSquare => new ListLiteral(ParseItemsUntil(TokenKind.CloseSquare, ParseExpression), IsTuple: false),
            TokenKind.OpenCurly => new DictLiteral(ParseItemsUntil(TokenKind.CloseCurly, ParseDictEntry)),
            _ => throw Error($"unexpected '{token.Value}'", token),
        };
    }

    private static NumberValue ParseNumber(string text) =>
        new(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture), IsFloat: text.Contains('.'));

    /// <summary>Adjacent string literals join into one, as in Python.</summary>
    private string ConcatenatedStrings(string first)
    {
        var value = first;
        while (Is(TokenKind.String)) value += tokens[current++].Value;
        return value;
    }

    private Node Parenthesized()
    {
        var expression = ParseExpressionSequence();
        Expect(TokenKind.CloseParen, "')'");
        return expression;
    }

    private (Node, Node) ParseDictEntry()
    {
        var key = ParseExpression();
        Expect(TokenKind.Colon, "':' between a key and its value");
        return (key, ParseExpression());
    }

    /// <summary>List and dict literal items; as in the reference, the commas are optional.</summary>
    private List<T> ParseItemsUntil<T>(TokenKind closing, Func<T> parseItem)
    {
        var items = new List<T>();
        while (!Is(closing))
        {
            if (current >= tokens.Count) throw Error("missing closing bracket");
            items.Add(parseItem());
            if (Is(TokenKind.Comma)) current++;
        }
        current++;
        return items;
    }
}
