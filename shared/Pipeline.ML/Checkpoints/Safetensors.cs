using System.Buffers.Binary;
using System.Text.Json.Nodes;
using System.Text.Json;
using System.Text;
using Pipeline.Data;
using static TorchSharp.torch;

namespace Pipeline.ML.Checkpoints;

/// <summary>One tensor's entry in a safetensors header.</summary>
public sealed record SafetensorsEntry(string Name, ScalarType DType, long[] Shape, long Begin, long End);

/// <summary>
/// The safetensors format (8-byte little-endian header length, a JSON header, then raw little-endian data), read
/// tensor by tensor so shards larger than 2 GB stream. Every inconsistency is reported with the file and tensor.
/// </summary>
public static class Safetensors
{
    private static readonly Dictionary<string, ScalarType> DTypes = new()
    {
        ["F64"] = ScalarType.Float64, ["F32"] = ScalarType.Float32, ["F16"] = ScalarType.Float16,
        ["BF16"] = ScalarType.BFloat16, ["I64"] = ScalarType.Int64, ["I32"] = ScalarType.Int32,
        ["I16"] = ScalarType.Int16, ["I8"] = ScalarType.Int8, ["U8"] = ScalarType.Byte, ["BOOL"] = ScalarType.Bool,
    };

    private const long MaxHeaderBytes = 100_000_000; // the reference implementation's limit

    public static string DTypeName(ScalarType type) =>
        DTypes.FirstOrDefault(pair => pair.Value == type).Key ?? throw new ArgumentException($"dtype {type} has no safetensors name");

    public static int ElementSize(ScalarType type) => type switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        _ => 1,
    };

    /// <summary>Reads and validates the header; returns the entries and where the data section starts.</summary>
    public static (IReadOnlyList<SafetensorsEntry> Entries, long DataStart, IReadOnlyDictionary<string, string> Metadata) ReadHeader(string path)
    {
        using var file = File.OpenRead(path);
        if (file.Length < 8) throw Corrupt(path, $"truncated: {file.Length} bytes, shorter than the 8-byte header length");
        Span<byte> lengthBytes = stackalloc byte[8];
        file.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > (ulong)(file.Length - 8))
            throw Corrupt(path, $"header length {headerLength} reaches beyond the end of the file ({file.Length} bytes)");
        if (headerLength > MaxHeaderBytes) throw Corrupt(path, $"header length {headerLength} exceeds {MaxHeaderBytes} bytes");
        var headerBytes = new byte[headerLength];
        file.ReadExactly(headerBytes);
        long dataStart = 8 + (long)headerLength;
        var (entries, metadata) = ParseHeader(path, headerBytes);
        CheckLayout(path, entries, file.Length - dataStart);
        return (entries, dataStart, metadata);
    }

    /// <summary>Loads every tensor onto the CPU in its stored dtype.</summary>
    public static Dictionary<string, Tensor> Load(string path)
    {
        var (entries, dataStart, _) = ReadHeader(path);
        using var file = File.OpenRead(path);
        return entries.ToDictionary(entry => entry.Name, entry => ReadTensor(file, dataStart, entry));
    }

    public static Tensor ReadTensor(FileStream file, long dataStart, SafetensorsEntry entry)
    {
        var bytes = new byte[entry.End - entry.Begin];
        file.Seek(dataStart + entry.Begin, SeekOrigin.Begin);
        file.ReadExactly(bytes);
        var tensor = empty(entry.Shape, entry.DType);
        if (bytes.Length > 0) tensor.bytes = bytes;
        return tensor;
    }

    /// <summary>Writes tensors (any device, any layout) in name order, atomically.</summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var names = tensors.Keys.Order(StringComparer.Ordinal).ToList();
        var header = new JsonObject { ["__metadata__"] = MetadataJson(metadata) };
        long offset = 0;
        foreach (var name in names)
        {
            var t = tensors[name];
            long size = t.numel() * ElementSize(t.dtype);
            header[name] = new JsonObject
            {
                ["dtype"] = DTypeName(t.dtype),
                ["shape"] = new JsonArray(t.shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + size),
            };
            offset += size;
        }
        var headerBytes = PaddedHeader(header);
        AtomicFile.Write(path, file =>
        {
            Span<byte> lengthBytes = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(lengthBytes, (ulong)headerBytes.Length);
            file.Write(lengthBytes);
            file.Write(headerBytes);
            foreach (var name in names)
            {
                using var cpu = tensors[name].detach().cpu().contiguous();
                if (cpu.numel() > 0) file.Write(cpu.bytes);
            }
        });
    }

    private static JsonObject MetadataJson(IReadOnlyDictionary<string, string>? metadata)
    {
        var json = new JsonObject { ["format"] = "pt" }; // transformers refuses files without it
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>()) json[key] = value;
        return json;
    }

    /// <summary>The header is padded with spaces to a multiple of 8 bytes, as the reference writer does.</summary>
    private static byte[] PaddedHeader(JsonObject header)
    {
        var json = header.ToJsonString();
        int padding = (8 - Encoding.UTF8.GetByteCount(json) % 8) % 8;
        return Encoding.UTF8.GetBytes(json + new string(' ', padding));
    }

    private static (List<SafetensorsEntry>, Dictionary<string, string>) ParseHeader(string path, byte[] headerBytes)
    {
        // JsonNode decodes names and strings lazily: invalid UTF-8 or a duplicate key surfaces while iterating.
        try
        {
            var header = JsonNode.Parse(headerBytes) as JsonObject ?? throw Corrupt(path, "header is not a JSON object");
            var entries = new List<SafetensorsEntry>();
            var metadata = new Dictionary<string, string>();
            foreach (var (name, node) in header)
            {
                if (name == "__metadata__")
                {
                    foreach (var (key, value) in node as JsonObject ?? []) metadata[key] = value?.ToString() ?? "";
                    continue;
                }
                entries.Add(ParseEntry(path, name, node as JsonObject ?? throw Corrupt(path, $"tensor '{name}': entry is not an object")));
            }
            return (entries, metadata);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            throw Corrupt(path, $"header is not valid JSON ({e.Message})");
        }
    }

    private static SafetensorsEntry ParseEntry(string path, string name, JsonObject node)
    {
        try
        {
            var dtypeName = node["dtype"]?.GetValue<string>() ?? throw Corrupt(path, $"tensor '{name}': missing dtype");
            if (!DTypes.TryGetValue(dtypeName, out var dtype)) throw Corrupt(path, $"tensor '{name}': unknown dtype '{dtypeName}'");
            var shape = (node["shape"] as JsonArray ?? throw Corrupt(path, $"tensor '{name}': missing shape"))
                .Select(d => d!.GetValue<long>()).ToArray();
            var offsets = node["data_offsets"] as JsonArray ?? throw Corrupt(path, $"tensor '{name}': missing data_offsets");
            if (offsets.Count != 2) throw Corrupt(path, $"tensor '{name}': data_offsets must have 2 entries");
            long begin = offsets[0]!.GetValue<long>(), end = offsets[1]!.GetValue<long>();
            if (shape.Any(d => d < 0)) throw Corrupt(path, $"tensor '{name}': negative dimension in shape [{string.Join(", ", shape)}]");
            if (begin < 0 || end < begin) throw Corrupt(path, $"tensor '{name}': invalid data_offsets [{begin}, {end}]");
            long expected = checked(shape.Aggregate(1L, (a, b) => checked(a * b)) * ElementSize(dtype));
            if (end - begin != expected)
                throw Corrupt(path, $"tensor '{name}': data_offsets span {end - begin} bytes but {dtypeName}[{string.Join(", ", shape)}] needs {expected}");
            return new SafetensorsEntry(name, dtype, shape, begin, end);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or OverflowException)
        {
            throw Corrupt(path, $"tensor '{name}': malformed entry ({e.Message})");
        }
    }

    private static void CheckLayout(string path, List<SafetensorsEntry> entries, long dataLength)
    {
        long previousEnd = 0;
        string? previous = null;
        foreach (var entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (entry.Begin < previousEnd)
                throw Corrupt(path, $"tensor '{entry.Name}' overlaps tensor '{previous}' (offset {entry.Begin} < {previousEnd})");
            if (entry.End > dataLength)
                throw Corrupt(path, $"tensor '{entry.Name}' ends at data offset {entry.End}, beyond the file's {dataLength} data bytes (truncated?)");
            previousEnd = entry.End;
            previous = entry.Name;
        }
    }

    private static InvalidDataException Corrupt(string path, string problem) => new($"{path}: {problem}");
}
