using System.Text.Json.Nodes;
using Pipeline.Data.Artifacts;
using Pipeline.Data.Chat;
using Pipeline.Data.Corpora;
using Pipeline.Data.Corpora.Code;
using Pipeline.Data.Datasets;

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

    /// <summary>Instruction data: `{"prompt","response"}` lines train on the response (and EOS); `{"messages"}` lines are
    /// rendered by the model's chat template (<paramref name="chat"/>) and train on the assistant turns only.</summary>
    public IReadOnlyList<TrainingExample> ReadInstructionJsonl(string path, ChatFormat chat) =>
        JsonlReader.Read(Allowed(path), (o, f) =>
        {
            var id = o.ContainsKey("id") ? f.String(o, "id") : $"{Path.GetFileName(path)}:{f.Line}";
            if (o.ContainsKey("messages")) return new TrainingExample(id, id, ChatSegments(chat, ReadMessages(o, f), f), Framed: false);
            return TrainingExample.Instruction(new InstructionExample(id, id, f.String(o, "prompt"), f.String(o, "response")));
        });

    /// <summary>`{"messages": [{"role", "content"}, ...]}` with at least one assistant reply.</summary>
    public static IReadOnlyList<ChatMessage> ReadMessages(JsonObject line, JsonlReader.Field f)
    {
        var messages = f.Array(line, "messages").Select((m, i) => m is JsonObject o
            ? new ChatMessage(MessageField(o, i, "role", f), MessageField(o, i, "content", f))
            : throw f.Error($"messages[{i}]", "expected an object with role and content")).ToList();
        if (messages.Count == 0) throw f.Error("messages", "is empty");
        return messages;
    }

    private static string MessageField(JsonObject message, int index, string name, JsonlReader.Field f) =>
        message[name] is JsonValue v && v.TryGetValue<string>(out var s)
            ? s
            : throw f.Error($"messages[{index}].{name}", message.ContainsKey(name) ? "expected a string" : "missing");

    private static IReadOnlyList<TextSegment> ChatSegments(ChatFormat chat, IReadOnlyList<ChatMessage> messages, JsonlReader.Field f)
    {
        if (!messages.Any(m => m.Role == "assistant" && m.Content.Trim().Length > 0))
            throw f.Error("messages", "has no assistant reply to train on");
        try { return chat.Segments(messages); }
        catch (Exception e) when (e is ArgumentException or DataFormatException) { throw f.Error("messages", e.Message); }
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
