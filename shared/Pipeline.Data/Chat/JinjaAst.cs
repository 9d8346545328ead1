namespace Pipeline.Data.Chat;

internal abstract record Node;

internal sealed record IfStatement(Node Test, IReadOnlyList<Node> Body, IReadOnlyList<Node> Alternate) : Node;

/// <summary>`{% for Target in Iterable %}…{% else %}…{% endfor %}`; Iterable may be a SelectExpression (`… if cond`).</summary>
internal sealed record ForStatement(Node Target, Node Iterable, IReadOnlyList<Node> Body, IReadOnlyList<Node> Else) : Node;

/// <summary>`{% set Target = Value %}`, or `{% set Target %}Body{% endset %}` when Value is null.</summary>
internal sealed record SetStatement(Node Target, Node? Value, IReadOnlyList<Node> Body) : Node;

internal sealed record MacroStatement(string Name, IReadOnlyList<Node> Parameters, IReadOnlyList<Node> Body) : Node;

internal sealed record BreakStatement : Node;

internal sealed record ContinueStatement : Node;

/// <summary>Template text and string or number literals.</summary>
internal sealed record Literal(JinjaValue Value) : Node;

internal sealed record Identifier(string Name) : Node;

internal sealed record ListLiteral(IReadOnlyList<Node> Items, bool IsTuple) : Node;

internal sealed record DictLiteral(IReadOnlyList<(Node Key, Node Value)> Entries) : Node;

/// <summary>`a.b` (Property is a string or integer Literal), `a[b]` or `a[start:stop:step]` (Property is a SliceExpression).</summary>
internal sealed record MemberExpression(Node Target, Node Property) : Node;

internal sealed record SliceExpression(Node? Start, Node? Stop, Node? Step) : Node;

internal sealed record CallExpression(Node Callee, IReadOnlyList<Node> Arguments) : Node;

internal sealed record KeywordArgument(string Name, Node Value) : Node;

internal sealed record BinaryExpression(string Operator, Node Left, Node Right) : Node;

internal sealed record UnaryExpression(string Operator, Node Operand) : Node;

/// <summary>`Operand | Name` (Arguments null) or `Operand | Name(Arguments)`: the reference treats the two forms differently.</summary>
internal sealed record FilterExpression(Node Operand, string Name, IReadOnlyList<Node>? Arguments) : Node;

internal sealed record TestExpression(Node Operand, string Name, bool Negated) : Node;

/// <summary>`Value if Condition` without an else: undefined when the condition is false.</summary>
internal sealed record SelectExpression(Node Value, Node Condition) : Node;

internal sealed record TernaryExpression(Node Condition, Node WhenTrue, Node WhenFalse) : Node;
