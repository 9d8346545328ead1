using System.Text.Json;

namespace Pipeline.Data.Artifacts;

/// <summary>Content keys: the sha256 of a canonical JSON description of everything an artifact is built from.</summary>
public static class ContentKey
{
    public static string Of(string kind, object inputs) =>
        $"{kind}/{Hashing.Sha256Hex(JsonSerializer.Serialize(inputs, DataJson.Options))[..32]}";
}
