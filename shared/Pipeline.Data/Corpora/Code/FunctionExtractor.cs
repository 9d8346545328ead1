namespace Pipeline.Data.Corpora.Code;

/// <summary>An instruction-tuning example: the model sees `Prompt` and learns to produce `Response`. `GroupId` is the
/// document it came from, which decides its split (so a function is held out exactly when its module is).</summary>
public sealed record InstructionExample(string Id, string GroupId, string Prompt, string Response);

/// <summary>Turns Python modules into Magicoder-style instructions: prompt = a function's signature and docstring,
/// response = its body. Indentation-based and deterministic; functions without a docstring or body are skipped.</summary>
public static class FunctionExtractor
{
    private const int MaxSignatureLines = 20;
    private const int MaxBodyLines = 60;

    public static IEnumerable<InstructionExample> Extract(CorpusDocument module)
    {
        var lines = module.Text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var indent = DefIndent(lines[i]);
            if (indent < 0) continue;
            var example = TryExtract(module.Id, lines, i, indent);
            if (example is not null) yield return example;
        }
    }

    /// <summary>The first non-blank line of the body: what the built-in code generation task asks the model to write.</summary>
    public static string FirstBodyLine(InstructionExample example) =>
        example.Response.Split('\n').First(l => l.Trim().Length > 0).TrimEnd();

    private static int DefIndent(string line)
    {
        var trimmed = line.TrimStart(' ');
        var isDef = trimmed.StartsWith("def ", StringComparison.Ordinal) || trimmed.StartsWith("async def ", StringComparison.Ordinal);
        return isDef ? line.Length - trimmed.Length : -1;
    }

    private static InstructionExample? TryExtract(string moduleId, string[] lines, int start, int indent)
    {
        var signatureEnd = SignatureEnd(lines, start);
        if (signatureEnd < 0 || signatureEnd + 1 >= lines.Length) return null;
        var docstringEnd = DocstringEnd(lines, signatureEnd + 1);
        if (docstringEnd < 0) return null;
        var bodyEnd = BodyEnd(lines, docstringEnd + 1, indent);
        var body = lines[(docstringEnd + 1)..bodyEnd];
        if (body.Length == 0 || body.Length > MaxBodyLines || body.All(l => l.Trim().Length == 0)) return null;
        var prompt = string.Join('\n', lines[start..(docstringEnd + 1)].Select(l => Dedent(l, indent))) + "\n";
        var response = string.Join('\n', body.Select(l => Dedent(l, indent)));
        return new InstructionExample($"{moduleId}#L{start + 1}", moduleId, prompt, response);
    }

    /// <summary>The line that closes the signature: brackets balanced and ending in ':'.</summary>
    private static int SignatureEnd(string[] lines, int start)
    {
        var depth = 0;
        for (var i = start; i < lines.Length && i < start + MaxSignatureLines; i++)
        {
            foreach (var c in lines[i])
                depth += c is '(' or '[' or '{' ? 1 : c is ')' or ']' or '}' ? -1 : 0;
            if (depth == 0 && lines[i].TrimEnd().EndsWith(':')) return i;
        }
        return -1;
    }

    /// <summary>The last line of a docstring that starts right after the signature, or -1 when there is none.</summary>
    private static int DocstringEnd(string[] lines, int first)
    {
        var text = lines[first].TrimStart();
        if (text.StartsWith('r') || text.StartsWith('u')) text = text[1..];
        var quote = text.StartsWith("\"\"\"") ? "\"\"\"" : text.StartsWith("'''") ? "'''" : null;
        if (quote is null) return -1;
        if (text.IndexOf(quote, 3, StringComparison.Ordinal) >= 0) return first;
        for (var i = first + 1; i < lines.Length; i++)
            if (lines[i].Contains(quote, StringComparison.Ordinal)) return i;
        return -1;
    }

    /// <summary>The body runs while lines are blank or indented deeper than the `def`; trailing blank lines are dropped.</summary>
    private static int BodyEnd(string[] lines, int first, int indent)
    {
        var end = first;
        for (var i = first; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0) continue;
            if (lines[i].Length - lines[i].TrimStart().Length <= indent) break;
            end = i + 1;
        }
        return end;
    }

    private static string Dedent(string line, int indent) =>
        line.Length >= indent && line[..indent].Trim().Length == 0 ? line[indent..] : line.TrimStart();
}
