using System.Text.Json;
using Pipeline.Data;
using Pipeline.Data.UserData;
using static TorchSharp.torch;

namespace Pipeline.ML.Checkpoints;

/// <summary>
/// The JSON header of a safetensors file, held to the rules of the reference crate (huggingface/safetensors,
/// <c>SafeTensors::read_metadata</c> and <c>Metadata::validate</c>): strict UTF-8, one JSON object that JSON whitespace
/// may pad on either side, an optional string-to-string <c>__metadata__</c>, and per tensor a known dtype, a shape and
/// data offsets whose span is exactly what the shape takes. Every error names the file and the tensor.
/// </summary>
internal static class SafetensorsHeader
{
    public const string MetadataKey = "__metadata__";
    private const string HeaderField = "header";
    private static readonly string[] EntryKeys = ["dtype", "shape", "data_offsets"];

    /// <summary>Dtypes the crate knows that TorchSharp cannot hold: named as such rather than as unknown.</summary>
    private static readonly HashSet<string> UnsupportedDTypes =
        ["F4", "F6_E2M3", "F6_E3M2", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F8_E4M3FNUZ", "F8_E5M2FNUZ", "U16", "U32", "U64", "C64"];

    /// <param name="headerStart">The header's offset in the file, so a bad byte is reported where a hex dump shows it.</param>
    public static (List<SafetensorsEntry> Entries, Dictionary<string, string> Metadata) Parse(string path, byte[] header, int headerStart)
    {
        using var json = ParseJson(path, header, headerStart);
        var entries = new List<SafetensorsEntry>();
        var metadata = new Dictionary<string, string>();
        try
        {
            // The crate keeps the last of two equal tensor names (serde's HashMap); the format's specification forbids
            // duplicate keys, so a second one is refused instead of silently shadowing the first.
            foreach (var tensor in UniqueProperties(json.RootElement, name => Corrupt(path, name, "appears twice in the header")))
            {
                if (tensor.Name == MetadataKey) metadata = Metadata(path, tensor.Value);
                else entries.Add(Entry(path, tensor.Name, tensor.Value));
            }
        }
        catch (InvalidOperationException e)
        {
            // JsonDocument decodes escapes only when a string is read: an unpaired surrogate escape, which serde_json
            // refuses while parsing, surfaces here.
            throw Corrupt(path, HeaderField, $"not valid JSON: {e.Message}");
        }
        return (entries, metadata);
    }

    /// <summary>Sorted by offset, the tensors must tile the data section exactly: from 0, no gap, no overlap, to its last byte.</summary>
    public static void CheckLayout(string path, IEnumerable<SafetensorsEntry> entries, long dataLength)
    {
        long covered = 0;
        SafetensorsEntry? previous = null;
        foreach (var entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (entry.Begin < covered)
                throw Corrupt(path, entry.Name, $"{Span(entry)} overlap the previous tensor '{previous!.Name}', which ends at {covered}");
            if (entry.Begin > covered)
                throw Corrupt(path, entry.Name, $"{Span(entry)} leave bytes [{covered}, {entry.Begin}) of the data section to no tensor");
            covered = entry.End;
            previous = entry;
        }
        if (covered > dataLength)
            throw Corrupt(path, previous!.Name, $"{Span(previous)} end beyond the file's {dataLength} data bytes (truncated?)");
        if (covered < dataLength)
            throw new DataFormatException(path, 0, null,
                $"the tensors cover {covered} of the {dataLength} data bytes; every byte must belong to exactly one tensor");
    }

    private static JsonDocument ParseJson(string path, byte[] header, int headerStart)
    {
        if (!Utf8Text.TryDecode(header, out var text, out int invalidAt))
            throw Corrupt(path, HeaderField, $"not valid UTF-8 at byte offset {headerStart + invalidAt}");
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw Corrupt(path, HeaderField, $"not valid JSON at line {e.LineNumber + 1}, column {e.BytePositionInLine + 1}: {JsonFile.Reason(e)}");
        }
        var kind = json.RootElement.ValueKind;
        if (kind == JsonValueKind.Object) return json;
        json.Dispose();
        throw Corrupt(path, HeaderField, $"must be a JSON object, found {Kind(kind)}");
    }

    /// <summary>The crate reads <c>__metadata__</c> as <c>Option&lt;HashMap&lt;String, String&gt;&gt;</c>: null or strings only.</summary>
    private static Dictionary<string, string> Metadata(string path, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null) return [];
        if (value.ValueKind != JsonValueKind.Object) throw Corrupt(path, MetadataKey, $"must be an object of strings, found {Kind(value.ValueKind)}");
        return UniqueProperties(value, key => Corrupt(path, MetadataKey, $"key '{key}' appears twice"))
            .ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String
                ? p.Value.GetString()!
                : throw Corrupt(path, MetadataKey, $"value of '{p.Name}' must be a string, found {Kind(p.Value.ValueKind)}"));
    }

    private static SafetensorsEntry Entry(string path, string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Corrupt(path, name, $"must be an object with dtype, shape and data_offsets, found {Kind(value.ValueKind)}");
        var fields = UniqueProperties(value, key => Corrupt(path, name, $"'{key}' appears twice")).ToDictionary(p => p.Name, p => p.Value);
        // The crate ignores keys beyond these three (serde's default); the format defines no others, so one is refused
        // rather than dropped unread.
        if (fields.Keys.FirstOrDefault(key => !EntryKeys.Contains(key)) is { } unknown)
            throw Corrupt(path, name, $"unknown key '{unknown}': a tensor entry has exactly dtype, shape and data_offsets");
        var (dtypeName, dtype) = DType(path, name, Required(path, name, fields, "dtype"));
        var shape = Naturals(path, name, Required(path, name, fields, "shape"), "shape");
        var offsets = Naturals(path, name, Required(path, name, fields, "data_offsets"), "data_offsets");
        if (offsets.Length != 2) throw Corrupt(path, name, $"data_offsets must be [begin, end], found {offsets.Length} numbers");
        var entry = new SafetensorsEntry(name, dtype, shape, offsets[0], offsets[1]);
        if (entry.Begin > entry.End) throw Corrupt(path, name, $"{Span(entry)} begin after they end");
        long size = ByteSize(path, entry, dtypeName);
        if (entry.End - entry.Begin != size)
            throw Corrupt(path, name, $"{Span(entry)} span {entry.End - entry.Begin} bytes but {dtypeName}{Shape(shape)} takes {size}");
        return entry;
    }

    private static JsonElement Required(string path, string name, Dictionary<string, JsonElement> fields, string key) =>
        fields.TryGetValue(key, out var value) ? value : throw Corrupt(path, name, $"missing '{key}'");

    private static (string Name, ScalarType Type) DType(string path, string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String) throw Corrupt(path, name, $"dtype must be a string, found {Kind(value.ValueKind)}");
        var dtypeName = value.GetString()!;
        if (Safetensors.TryGetDType(dtypeName, out var dtype)) return (dtypeName, dtype);
        throw Corrupt(path, name, UnsupportedDTypes.Contains(dtypeName)
            ? $"dtype '{dtypeName}' is valid safetensors but cannot be loaded here (supported: {string.Join(", ", Safetensors.SupportedDTypes)})"
            : $"unknown dtype '{dtypeName}' (supported: {string.Join(", ", Safetensors.SupportedDTypes)})");
    }

    /// <summary>The crate reads shape and offsets as <c>usize</c>: integers without fraction or exponent, never negative.</summary>
    private static long[] Naturals(string path, string name, JsonElement value, string key)
    {
        bool valid = value.ValueKind == JsonValueKind.Array
            && value.EnumerateArray().All(n => n.ValueKind == JsonValueKind.Number && n.TryGetInt64(out long v) && v >= 0);
        if (!valid) throw Corrupt(path, name, $"{key} must be an array of non-negative integers, found {Abbreviated(value.GetRawText())}");
        return value.EnumerateArray().Select(n => n.GetInt64()).ToArray();
    }

    /// <summary>The crate's overflow check: the element count and byte size must fit in 64 bits.</summary>
    private static long ByteSize(string path, SafetensorsEntry entry, string dtypeName)
    {
        try
        {
            return checked(entry.Shape.Aggregate(1L, (count, dimension) => checked(count * dimension)) * Safetensors.ElementSize(entry.DType));
        }
        catch (OverflowException)
        {
            throw Corrupt(path, entry.Name, $"the byte size of {dtypeName}{Shape(entry.Shape)} overflows 64 bits");
        }
    }

    private static IEnumerable<JsonProperty> UniqueProperties(JsonElement json, Func<string, DataFormatException> duplicate)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in json.EnumerateObject())
            yield return seen.Add(property.Name) ? property : throw duplicate(property.Name);
    }

    private static string Span(SafetensorsEntry entry) => $"data_offsets [{entry.Begin}, {entry.End})";

    private static string Shape(long[] shape) => $"[{string.Join(", ", shape)}]";

    private static string Kind(JsonValueKind kind) => kind.ToString().ToLowerInvariant();

    private static string Abbreviated(string json) => json.Length <= 60 ? json : json[..57] + "...";

    private static DataFormatException Corrupt(string path, string field, string problem) => new(path, 0, field, problem);
}
