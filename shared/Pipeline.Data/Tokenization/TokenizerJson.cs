using System.Text.Json.Nodes;

namespace Pipeline.Data.Tokenization;

/// <summary>Reading the JSON files of a tokenizer, with errors that name the file, the line and the field.</summary>
internal static class TokenizerJson
{
    public static int Id(JsonNode? node, string path, string field) =>
        node is JsonValue value && value.TryGetValue<int>(out var id) && id >= 0
            ? id
            : throw new DataFormatException(path, 0, field, "expected a non-negative integer id");

    public static string String(JsonNode? node, string path, string field) =>
        node is JsonValue value && value.TryGetValue<string>(out var s)
            ? s
            : throw new DataFormatException(path, 0, field, "expected a string");

    /// <summary>A special token as tokenizer_config.json writes it: a string, an AddedToken object with `content`,
    /// or null/absent.</summary>
    public static string? TokenName(JsonNode? node, string path, string field) => node switch
    {
        null => null,
        JsonObject token => String(token["content"], path, $"{field}.content"),
        _ => String(node, path, field),
    };
}
