using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pipeline.Data.UserData;

/// <summary>A JSON file read strictly: UTF-8 as <see cref="Utf8Text"/> reads it, no duplicate keys, and a syntax error
/// located by the file and its 1-based line.</summary>
public static class JsonFile
{
    private static readonly JsonDocumentOptions NoDuplicateKeys = new() { AllowDuplicateProperties = false };
    private static readonly string[] PositionSuffixes = [" Path: ", " LineNumber: "];

    public static JsonObject ReadObject(string path)
    {
        var text = Utf8Text.ReadFile(path);
        try
        {
            return JsonNode.Parse(text, documentOptions: NoDuplicateKeys) as JsonObject
                ?? throw new DataFormatException(path, 0, null, "expected a JSON object");
        }
        catch (JsonException e)
        {
            throw NotJson(path, e);
        }
    }

    public static DataFormatException NotJson(string path, JsonException e)
    {
        var column = e.BytePositionInLine is { } bytes ? $" at column {bytes + 1}" : "";
        return new DataFormatException(path, (int)(e.LineNumber + 1 ?? 0), null, $"not valid JSON{column}: {Reason(e)}");
    }

    /// <summary>The message without the position JsonException appends, whose lines count from 0 and would contradict ours.</summary>
    public static string Reason(JsonException e)
    {
        int end = PositionSuffixes.Select(suffix => e.Message.IndexOf(suffix, StringComparison.Ordinal))
            .Where(at => at >= 0).DefaultIfEmpty(e.Message.Length).Min();
        return e.Message[..end];
    }
}
