using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pipeline.Data.UserData;

/// <summary>JSON Lines with errors that name file, line and field. Blank lines are skipped; an empty file is an error.</summary>
public static class JsonlReader
{
    public static IReadOnlyList<T> Read<T>(string path, Func<JsonObject, Field, T> map)
    {
        var items = new List<T>();
        foreach (var (number, text) in Utf8Lines.Read(path))
        {
            if (text.Trim().Length == 0) continue;
            items.Add(map(Parse(path, number, text), new Field(path, number)));
        }
        return items.Count > 0 ? items : throw new DataFormatException(path, 0, null, "no JSON lines in the file");
    }

    private static JsonObject Parse(string path, int line, string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw new DataFormatException(path, line, null, "expected a JSON object");
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, line, null, $"malformed JSON: {e.Message}");
        }
    }

    /// <summary>Typed access to one line's fields, throwing located errors.</summary>
    public sealed record Field(string Path, int Line)
    {
        public string String(JsonObject obj, string name, bool allowEmpty = false)
        {
            var value = obj[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw Error(name, obj.ContainsKey(name) ? "expected a string" : "missing");
            return allowEmpty || value.Length > 0 ? value : throw Error(name, "is empty");
        }

        public int Int(JsonObject obj, string name) =>
            obj[name] is JsonValue v && v.TryGetValue<int>(out var i) ? i : throw Error(name, obj.ContainsKey(name) ? "expected an integer" : "missing");

        public JsonArray Array(JsonObject obj, string name) =>
            obj[name] as JsonArray ?? throw Error(name, obj.ContainsKey(name) ? "expected an array" : "missing");

        public IReadOnlyList<string> Strings(JsonObject obj, string name) =>
            Array(obj, name).Select((n, i) => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw Error($"{name}[{i}]", "expected a string")).ToList();

        public DataFormatException Error(string field, string problem) => new(Path, Line, field, problem);
    }
}
