using System.Text;
using System.Text.Json.Nodes;
using Pipeline.Data.Artifacts;
using Pipeline.Data.Corpora;
using Pipeline.Data.Corpora.Code;

namespace Pipeline.Data.UserData;

/// <summary>Reads a user's own data in the formats they already have — plain-text folders, JSONL `{"text"}` for CPT,
/// JSONL `{"prompt","response"}` or chat `{"messages":[{"role","content"}]}` for IFT — from inside the allowed roots only.</summary>
public sealed class UserDataReader(IReadOnlyList<string> allowedRoots)
{
    private static readonly string[] TextExtensions = [".txt", ".md", ".py"];

    public IReadOnlyList<CorpusDocument> ReadTextFolder(string folder)
    {
        var full = Allowed(folder);
        if (!Directory.Exists(full)) throw new DataFormatException(folder, 0, null, "not a folder");
        var files = Directory.GetFiles(full, "*", SearchOption.AllDirectories)
            .Where(f => TextExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0) throw new DataFormatException(folder, 0, null, $"no text files ({string.Join(", ", TextExtensions)})");
        return files.Select(f => new CorpusDocument(Path.GetRelativePath(full, Allowed(f)).Replace('\\', '/'), Utf8Lines.ReadAll(f))).ToList();
    }

    public IReadOnlyList<CorpusDocument> ReadTextJsonl(string path) =>
        JsonlReader.Read(Allowed(path), (o, f) =>
            new CorpusDocument(o.ContainsKey("id") ? f.String(o, "id") : $"{Path.GetFileName(path)}:{f.Line}", f.String(o, "text")));

    public IReadOnlyList<InstructionExample> ReadInstructionJsonl(string path) =>
        JsonlReader.Read(Allowed(path), (o, f) =>
        {
            var id = o.ContainsKey("id") ? f.String(o, "id") : $"{Path.GetFileName(path)}:{f.Line}";
            if (o.ContainsKey("messages")) return FromMessages(id, f.Array(o, "messages"), f);
            return new InstructionExample(id, id, f.String(o, "prompt"), f.String(o, "response"));
        });

    /// <summary>Chat rendering: every message before the last is `### Role:\ncontent\n`; the prompt ends with
    /// `### Assistant:\n` and the response is the last message, which must be the assistant's.</summary>
    private static InstructionExample FromMessages(string id, JsonArray messages, JsonlReader.Field f)
    {
        var turns = messages.Select((m, i) => m is JsonObject o
            ? (Role: f.String(o, "role"), Content: f.String(o, "content", allowEmpty: true), Index: i)
            : throw f.Error($"messages[{i}]", "expected an object with role and content")).ToList();
        if (turns.Count < 2) throw f.Error("messages", "needs at least a user message and an assistant reply");
        if (turns[^1].Role != "assistant") throw f.Error($"messages[{turns.Count - 1}].role", $"the last message must be 'assistant', found '{turns[^1].Role}'");
        var prompt = new StringBuilder();
        foreach (var turn in turns.SkipLast(1))
        {
            if (turn.Role is not ("system" or "user" or "assistant"))
                throw f.Error($"messages[{turn.Index}].role", $"unknown role '{turn.Role}'");
            prompt.Append($"### {char.ToUpperInvariant(turn.Role[0])}{turn.Role[1..]}:\n{turn.Content}\n");
        }
        prompt.Append("### Assistant:\n");
        return new InstructionExample(id, id, prompt.ToString(), turns[^1].Content);
    }

    /// <summary>The full path, if it lies inside one of the allowed roots (symlinks included).</summary>
    public string Allowed(string path)
    {
        var full = Path.GetFullPath(path);
        foreach (var root in allowedRoots)
        {
            var fullRoot = Path.GetFullPath(root);
            if (full == fullRoot || full.StartsWith(fullRoot.TrimEnd('/') + "/", StringComparison.Ordinal))
            {
                try
                {
                    return ArtifactStore.ResolveInside(fullRoot, Path.GetRelativePath(fullRoot, full));
                }
                catch (UnauthorizedAccessException e)
                {
                    throw new DataFormatException(path, 0, null, e.Message);
                }
            }
        }
        throw new DataFormatException(path, 0, null, $"the path is outside the allowed data folders ({string.Join(", ", allowedRoots)})");
    }
}
