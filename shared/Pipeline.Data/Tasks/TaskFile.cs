using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Data.UserData;

namespace Pipeline.Data.Tasks;

/// <summary>Evaluation task files in lm-evaluation-harness style JSONL: `{id,text}`, `{context,choices,label,source_id?}`,
/// `{prompt,answer,stop,id?,source_id?}`; `source_id` names the document an item was drawn from (items of one document
/// are one cluster of the standard error). Users can supply their own in the same shapes.</summary>
public static class TaskFile
{
    public static IReadOnlyList<PerplexityDocument> ReadPerplexity(string path) =>
        JsonlReader.Read(path, (o, f) => new PerplexityDocument(o.ContainsKey("id") ? f.String(o, "id") : $"line-{f.Line}", f.String(o, "text")));

    public static IReadOnlyList<MultipleChoiceItem> ReadMultipleChoice(string path) =>
        JsonlReader.Read(path, (o, f) =>
        {
            var choices = f.Strings(o, "choices");
            if (choices.Count < 2) throw f.Error("choices", "needs at least two choices");
            var label = f.Int(o, "label");
            if (label < 0 || label >= choices.Count) throw f.Error("label", $"{label} is not an index into {choices.Count} choices");
            return new MultipleChoiceItem(f.String(o, "context"), choices, label, Optional(o, f, "source_id"));
        });

    public static IReadOnlyList<GenerationItem> ReadGeneration(string path) =>
        JsonlReader.Read(path, (o, f) => new GenerationItem(f.String(o, "prompt"), f.String(o, "answer"),
            o.ContainsKey("stop") ? f.Strings(o, "stop") : [], Optional(o, f, "id"), Optional(o, f, "source_id")));

    private static string? Optional(JsonObject o, JsonlReader.Field f, string name) => o.ContainsKey(name) ? f.String(o, name) : null;

    public static void Write<T>(string path, IEnumerable<T> items) =>
        AtomicFile.WriteAllText(path, string.Concat(items.Select(i => JsonSerializer.Serialize(i, DataJson.Options) + "\n")));
}
