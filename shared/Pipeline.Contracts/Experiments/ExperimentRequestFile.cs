using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.Contracts.Experiments;

/// <summary>Reads an experiment request file; syntax and type errors are reported with file, line and JSON path.</summary>
public static class ExperimentRequestFile
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        // "NaN" and "Infinity" parse, so the validator can reject them by name instead of a type error.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static ExperimentRequest Load(string path)
    {
        string text;
        try { text = File.ReadAllText(path, new UTF8Encoding(false, throwOnInvalidBytes: true)); }
        catch (DecoderFallbackException) { throw Reject(path, "$", "the file is not valid UTF-8"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw Reject(path, "$", e.Message); }
        return Parse(text, path);
    }

    public static ExperimentRequest Parse(string json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<ExperimentRequest>(json, Json) ?? throw Reject(source, "$", "the request is null");
        }
        catch (JsonException e)
        {
            var line = e.LineNumber is { } l ? $" (line {l + 1}, byte {e.BytePositionInLine + 1})" : "";
            throw Reject(source, e.Path ?? "$", FirstSentence(e.Message) + line);
        }
    }

    /// <summary>The sha256 of the request's canonical JSON: two submissions under one name must have the same content.</summary>
    public static string ContentHash(ExperimentRequest request) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, Json)));

    static ExperimentRequestException Reject(string source, string path, string message) => new(source, [new ValidationError(path, message)]);

    static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
