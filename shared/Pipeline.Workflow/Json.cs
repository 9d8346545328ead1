using System.Text.Json;

namespace Pipeline.Workflow;

/// <summary>How message bodies and request snapshots are stored in ResultsDb text columns.</summary>
static class Json
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Read<T>(string json, string what) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new InvalidDataException($"{what}: stored JSON is null");
}
