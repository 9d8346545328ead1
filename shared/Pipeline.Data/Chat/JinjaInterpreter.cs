using System.Globalization;
using System.Text;

namespace Pipeline.Data.Chat;

/// <summary>Variables visible at one point of a template. `for` bodies and macros get a child scope, so a `set`
/// inside a loop is lost after it (hence namespace()), as in Jinja.</summary>
internal sealed class Scope(Scope? parent)
{
    private readonly Dictionary<string, JinjaValue> variables = [];

    public void Set(string name, JinjaValue value) => variables[name] = value;

    public void Declare(string name, JinjaValue value)
    {
        if (!variables.TryAdd(name, value)) throw new JinjaException($"the variable '{name}' is already defined (it is a built-in)");
    }

    public JinjaValue Lookup(string name) =>
        variables.TryGetValue(name, out var value) ? value : parent?.Lookup(name) ?? UndefinedValue.Instance;
}

/// <summary>Evaluates the syntax tree with @huggingface/jinja's runtime semantics.</summary>
internal sealed class JinjaInterpreter
{
    private sealed class LoopControl(bool isBreak) : Exception
    {
        public bool IsBreak { get; } = isBreak;
    }

    public static string Render(IReadOnlyList<Node> program, IEnumerable<KeyValuePair<string, JinjaValue>> context)
    {
        var globals = JinjaGlobals.Create();
        foreach (var (name, value) in context) globals.Declare(name, value);
        try
        {
            return new JinjaInterpreter().Block(program, globals);
        }
        catch (LoopControl control)
        {
            throw new JinjaException($"{(control.IsBreak ? "break" : "continue")} outside a loop");
        }
    }

    private string Block(IReadOnlyList<Node> body, Scope scope)
    {
        var output = new StringBuilder();
        foreach (var node in body)
        {
            var value = Evaluate(node, scope);
            if (value is not (NoneValue or UndefinedValue)) output.Append(value.Render());
        }
        return output.ToString();
    }

    private JinjaValue Evaluate(Node node, Scope scope) => node switch
    {
        Literal literal => literal.Value,
        Identifier identifier => scope.Lookup(identifier.Name),
        ListLiteral list => new ListValue(list.Items.Select(item => Evaluate(item, scope)).ToList(), list.IsTuple),
        DictLiteral dict => Dict(dict, scope),
        MemberExpression { Property: SliceExpression slice } member => Slice(Evaluate(member.Target, scope), slice, scope),
        MemberExpression member => JinjaMembers.Get(Evaluate(member.Target, scope), Evaluate(member.Property, scope)),
        CallExpression call => Call(call, scope),
        BinaryExpression binary => Binary(binary, scope),
        UnaryExpression unary => Unary(unary.Operator, Evaluate(unary.Operand, scope)),
        FilterExpression filter => JinjaFilters.Apply(Evaluate(filter.Operand, scope), filter.Name,
            filter.Arguments is null ? null : EvaluateArguments(filter.Arguments, scope)),
        TestExpression test => BoolValue.Of(JinjaPredicates.Get(test.Name)(Evaluate(test.Operand, scope)) != test.Negated),
        SelectExpression select => Evaluate(select.Condition, scope).IsTruthy ? Evaluate(select.Value, scope) : UndefinedValue.Instance,
        TernaryExpression ternary => Evaluate(Evaluate(ternary.Condition, scope).IsTruthy ? ternary.WhenTrue : ternary.WhenFalse, scope),
        IfStatement @if => new StringValue(Block(Evaluate(@if.Test, scope).IsTruthy ? @if.Body : @if.Alternate, scope)),
        ForStatement @for => For(@for, scope),
        SetStatement set => Set(set, scope),
        MacroStatement macro => DefineMacro(macro, scope),
        BreakStatement => throw new LoopControl(isBreak: true),
        ContinueStatement => throw new LoopControl(isBreak: false),
        _ => throw new JinjaException($"unexpected {node.GetType().Name} here"),
    };

    private DictValue Dict(DictLiteral dict, Scope scope)
    {
        var entries = new OrderedDictionary<string, JinjaValue>();
        foreach (var (keyNode, valueNode) in dict.Entries)
        {
            var key = Evaluate(keyNode, scope) as StringValue ?? throw new JinjaException("dict keys must be strings");
            entries[key.Value] = Evaluate(valueNode, scope);
        }
        return new DictValue(entries);
    }

    private JinjaValue Call(CallExpression call, Scope scope)
    {
        var arguments = EvaluateArguments(call.Arguments, scope);
        return Evaluate(call.Callee, scope) is FunctionValue function
            ? function.Invoke(arguments, scope)
            : throw new JinjaException($"{Describe(call.Callee)} is not a function");
    }

    private static string Describe(Node callee) => callee switch
    {
        Identifier identifier => $"'{identifier.Name}'",
        MemberExpression { Property: Literal { Value: StringValue name } } => $"the method '{name.Value}'",
        _ => "the called value",
    };

    private Arguments EvaluateArguments(IReadOnlyList<Node> nodes, Scope scope)
    {
        var positional = nodes.Where(n => n is not KeywordArgument).Select(n => Evaluate(n, scope)).ToList();
        var keyword = new Dictionary<string, JinjaValue>();
        foreach (var argument in nodes.OfType<KeywordArgument>())
        {
            if (!keyword.TryAdd(argument.Name, Evaluate(argument.Value, scope)))
                throw new JinjaException($"got multiple values for the keyword argument '{argument.Name}'");
        }
        return new Arguments(positional, keyword);
    }

    private JinjaValue Binary(BinaryExpression binary, Scope scope)
    {
        var left = Evaluate(binary.Left, scope);
        return binary.Operator switch
        {
            "and" => left.IsTruthy ? Evaluate(binary.Right, scope) : left,
            "or" => left.IsTruthy ? left : Evaluate(binary.Right, scope),
            _ => JinjaOperators.Apply(binary.Operator, left, Evaluate(binary.Right, scope)),
        };
    }

    private static JinjaValue Unary(string op, JinjaValue operand) => (op, operand) switch
    {
        ("not", _) => BoolValue.Of(!operand.IsTruthy),
        (_, NumberValue number) => new NumberValue(op == "-" ? -number.Value : number.Value, number.IsFloat),
        (_, BoolValue boolean) => JinjaMembers.Integer((op == "-" ? -1 : 1) * (boolean.Value ? 1 : 0)),
        _ => throw new JinjaException($"unknown operator '{op}' for a {operand.TypeName}"),
    };

    private JinjaValue Slice(JinjaValue target, SliceExpression slice, Scope scope)
    {
        var (start, stop, step) = (Bound(slice.Start, scope), Bound(slice.Stop, scope), Bound(slice.Step, scope));
        return target switch
        {
            ListValue list => new ListValue(JinjaSlice.Take(list.Items, start, stop, step)),
            StringValue text => new StringValue(string.Concat(JinjaSlice.Take(JsText.CodePoints(text.Value), start, stop, step))),
            _ => throw new JinjaException($"cannot slice a {target.TypeName}"),
        };
    }

    private long? Bound(Node? node, Scope scope) => (node is null ? UndefinedValue.Instance : Evaluate(node, scope)) switch
    {
        UndefinedValue => null,
        NumberValue { IsFloat: false } number => (long)number.Value,
        var other => throw new JinjaException($"slice bounds must be integers, not a {other.TypeName}"),
    };

    private JinjaValue For(ForStatement node, Scope scope)
    {
        var loopScope = new Scope(scope);
        var (iterableNode, condition) = node.Iterable is SelectExpression select ? (select.Value, select.Condition) : (node.Iterable, null);
        var items = Iterate(Evaluate(iterableNode, loopScope))
            .Select(item => (Item: item, Bind: Binder(node.Target, item)))
            .Where(pair => condition is null || Passes(condition, pair.Bind, loopScope))
            .ToList();
        var values = items.Select(p => p.Item).ToList();
        var output = new StringBuilder();
        var iterated = false;
        for (var i = 0; i < items.Count; i++)
        {
            loopScope.Set("loop", LoopInfo(values, i));
            items[i].Bind(loopScope);
            try
            {
                output.Append(Block(node.Body, loopScope));
            }
            catch (LoopControl control)
            {
                if (control.IsBreak) break;
                continue;
            }
            iterated = true;
        }
        if (!iterated) output.Append(Block(node.Else, loopScope));
        return new StringValue(output.ToString());
    }

    private static IReadOnlyList<JinjaValue> Iterate(JinjaValue iterable) => iterable switch
    {
        ListValue list => list.Items,
        DictValue { IsNamespace: false } dict => dict.Entries.Keys.Select(k => (JinjaValue)new StringValue(k)).ToList(),
        _ => throw new JinjaException($"cannot loop over a {iterable.TypeName}"),
    };

    private bool Passes(Node condition, Action<Scope> bind, Scope loopScope)
    {
        var testScope = new Scope(loopScope);
        bind(testScope);
        return Evaluate(condition, testScope).IsTruthy;
    }

    /// <summary>How one item binds to the loop variable(s); unpacking errors surface before the loop renders anything.</summary>
    private static Action<Scope> Binder(Node target, JinjaValue item)
    {
        if (target is Identifier identifier) return scope => scope.Set(identifier.Name, item);
        var names = (ListLiteral)target;
        if (item is not ListValue { IsTuple: false } values) throw new JinjaException($"cannot unpack a {item.TypeName}");
        CheckUnpackCount(names.Items.Count, values.Items.Count);
        return scope =>
        {
            for (var i = 0; i < names.Items.Count; i++)
                scope.Set(names.Items[i] is Identifier name ? name.Name : throw new JinjaException("loop variables must be names"), values.Items[i]);
        };
    }

    private static void CheckUnpackCount(int names, int values)
    {
        if (names != values) throw new JinjaException($"too {(names > values ? "few" : "many")} items to unpack");
    }

    private static DictValue LoopInfo(IReadOnlyList<JinjaValue> items, int i) => new(new OrderedDictionary<string, JinjaValue>
    {
        ["index"] = JinjaMembers.Integer(i + 1),
        ["index0"] = JinjaMembers.Integer(i),
        ["revindex"] = JinjaMembers.Integer(items.Count - i),
        ["revindex0"] = JinjaMembers.Integer(items.Count - i - 1),
        ["first"] = BoolValue.Of(i == 0),
        ["last"] = BoolValue.Of(i == items.Count - 1),
        ["length"] = JinjaMembers.Integer(items.Count),
        ["previtem"] = i > 0 ? items[i - 1] : UndefinedValue.Instance,
        ["nextitem"] = i < items.Count - 1 ? items[i + 1] : UndefinedValue.Instance,
    });

    private JinjaValue Set(SetStatement set, Scope scope)
    {
        var value = set.Value is null ? new StringValue(Block(set.Body, scope)) : Evaluate(set.Value, scope);
        switch (set.Target)
        {
            case Identifier identifier:
                scope.Set(identifier.Name, value);
                break;
            case ListLiteral { IsTuple: true } names:
                var values = value as ListValue ?? throw new JinjaException($"cannot unpack a {value.TypeName} in set");
                CheckUnpackCount(names.Items.Count, values.Items.Count);
                foreach (var (name, item) in names.Items.Zip(values.Items))
                    scope.Set(name is Identifier n ? n.Name : throw new JinjaException("set can only unpack into names"), item);
                break;
            case MemberExpression { Property: Literal { Value: StringValue attribute } } member:
                if (Evaluate(member.Target, scope) is not DictValue { IsNamespace: true } ns)
                    throw new JinjaException("cannot set an attribute on anything but a namespace()");
                ns.Entries[attribute.Value] = value;
                break;
            default:
                throw new JinjaException("set needs a name, names or a namespace attribute on the left");
        }
        return NoneValue.Instance;
    }

    private NoneValue DefineMacro(MacroStatement macro, Scope scope)
    {
        scope.Set(macro.Name, new FunctionValue(macro.Name, (arguments, caller) =>
        {
            var macroScope = new Scope(caller ?? scope);
            BindMacroArguments(macro, arguments, macroScope);
            return new StringValue(Block(macro.Body, macroScope));
        }));
        return NoneValue.Instance;
    }

    /// <summary>Binds every parameter (undefined when not passed) before evaluating defaults, which may use earlier ones.</summary>
    private void BindMacroArguments(MacroStatement macro, Arguments arguments, Scope macroScope)
    {
        var unusedKeywords = new Dictionary<string, JinjaValue>(arguments.Keyword);
        var pendingDefaults = new List<(string Name, Node Default)>();
        for (var i = 0; i < macro.Parameters.Count; i++)
        {
            var (name, defaultValue) = macro.Parameters[i] is KeywordArgument k ? (k.Name, k.Value) : (((Identifier)macro.Parameters[i]).Name, null);
            var value = arguments.Get(i) ?? (unusedKeywords.Remove(name, out var keyword) ? keyword : null);
            if (value is null && defaultValue is not null) pendingDefaults.Add((name, defaultValue));
            macroScope.Set(name, value ?? UndefinedValue.Instance);
        }
        if (unusedKeywords.Count > 0) throw new JinjaException($"macro '{macro.Name}' takes no keyword argument '{unusedKeywords.Keys.First()}'");
        if (arguments.Positional.Count > macro.Parameters.Count)
            throw new JinjaException($"macro '{macro.Name}' takes not more than {macro.Parameters.Count} argument(s)");
        foreach (var (name, defaultValue) in pendingDefaults) macroScope.Set(name, Evaluate(defaultValue, macroScope));
    }
}

/// <summary>The reference's slice(): Python's semantics except that an explicit stop of -1 with a negative step
/// runs to the beginning.</summary>
internal static class JinjaSlice
{
    public static List<T> Take<T>(IReadOnlyList<T> items, long? start, long? stop, long? step)
    {
        var by = step ?? 1;
        var direction = Math.Sign(by);
        long length = items.Count;
        long from, to;
        if (direction >= 0)
        {
            from = Clamp(start ?? 0, length, floor: 0, ceiling: length);
            to = Clamp(stop ?? length, length, floor: 0, ceiling: length);
        }
        else
        {
            from = Clamp(start ?? length - 1, length, floor: -1, ceiling: length - 1);
            to = stop is null or >= -1 ? Math.Min(stop ?? -1, length - 1) : Math.Max(length + stop.Value, -1);
        }
        var taken = new List<T>();
        for (var i = from; direction * i < direction * to; i += by) taken.Add(items[(int)i]);
        return taken;
    }

    private static long Clamp(long bound, long length, long floor, long ceiling) =>
        bound < 0 ? Math.Max(length + bound, floor) : Math.Min(bound, ceiling);
}

/// <summary>The variables every template sees: true/false/none in both spellings, raise_exception, range,
/// strftime_now and namespace.</summary>
internal static class JinjaGlobals
{
    public static Scope Create()
    {
        var globals = new Scope(null);
        foreach (var (name, value) in new (string, JinjaValue)[]
                 {
                     ("false", BoolValue.False), ("true", BoolValue.True), ("none", NoneValue.Instance),
                     ("False", BoolValue.False), ("True", BoolValue.True), ("None", NoneValue.Instance),
                     ("raise_exception", new FunctionValue("raise_exception", RaiseException)),
                     ("range", new FunctionValue("range", Range)),
                     ("strftime_now", new FunctionValue("strftime_now", StrftimeNow)),
                     ("namespace", new FunctionValue("namespace", Namespace)),
                 })
            globals.Declare(name, value);
        return globals;
    }

    private static JinjaValue RaiseException(Arguments arguments) =>
        throw new JinjaException(arguments.Get(0)?.Concatenated ?? "");

    private static ListValue Range(Arguments arguments)
    {
        var numbers = arguments.Positional.Select(a => a is NumberValue n ? n.Value : throw new JinjaException("range() takes numbers")).ToList();
        var (start, stop) = numbers.Count == 1 ? (0, numbers[0]) : (numbers.ElementAtOrDefault(0), numbers.ElementAtOrDefault(1));
        var step = numbers.Count > 2 ? numbers[2] : 1;
        if (step == 0) throw new JinjaException("range() step must not be zero");
        var values = new List<JinjaValue>();
        for (var i = start; step > 0 ? i < stop : i > stop; i += step) values.Add(new NumberValue(i, IsFloat: i % 1 != 0));
        return new ListValue(values);
    }

    private static StringValue StrftimeNow(Arguments arguments)
    {
        var format = arguments.Get(0) as StringValue ?? throw new JinjaException("strftime_now() takes a format string");
        var now = DateTime.Now;
        var english = CultureInfo.GetCultureInfo("en-US");
        return new StringValue(System.Text.RegularExpressions.Regex.Replace(format.Value, "%[YmdbBHM%]", m => m.Value[1] switch
        {
            'Y' => now.Year.ToString(CultureInfo.InvariantCulture),
            'm' => now.ToString("MM", CultureInfo.InvariantCulture),
            'd' => now.ToString("dd", CultureInfo.InvariantCulture),
            'b' => now.ToString("MMM", english),
            'B' => now.ToString("MMMM", english),
            'H' => now.ToString("HH", CultureInfo.InvariantCulture),
            'M' => now.ToString("mm", CultureInfo.InvariantCulture),
            _ => "%",
        }));
    }

    private static DictValue Namespace(Arguments arguments)
    {
        if (arguments.Positional.Count > 1) throw new JinjaException($"namespace() takes at most 1 positional argument, got {arguments.Positional.Count}");
        var entries = new OrderedDictionary<string, JinjaValue>();
        switch (arguments.Get(0))
        {
            case null: break;
            case DictValue { IsNamespace: false } dict:
                foreach (var (key, value) in dict.Entries) entries[key] = value;
                break;
            case ListValue pairs:
                foreach (var pair in pairs.Items)
                {
                    var (key, value) = NamespacePair(pair);
                    entries[key] = value;
                }
                break;
            case var other:
                throw new JinjaException($"namespace() cannot take a {other.TypeName}");
        }
        foreach (var (key, value) in arguments.Keyword) entries[key] = value;
        return new DictValue(entries, isNamespace: true);
    }

    private static (string Key, JinjaValue Value) NamespacePair(JinjaValue pair)
    {
        var items = pair switch
        {
            ListValue list => list.Items,
            StringValue text => JsText.CodePoints(text.Value).Select(c => (JinjaValue)new StringValue(c)).ToList(),
            _ => null,
        };
        if (items is not { Count: 2 }) throw new JinjaException("namespace() expects a dict or a list of [key, value] pairs");
        return items[0] is StringValue key ? (key.Value, items[1]) : throw new JinjaException("namespace() keys must be strings");
    }
}
