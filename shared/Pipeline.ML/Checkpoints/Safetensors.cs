using System.Buffers.Binary;
using System.Text.Json.Nodes;
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
    private const int SizeBytes = 8;

    public static string DTypeName(ScalarType type) =>
        DTypes.FirstOrDefault(pair => pair.Value == type).Key ?? throw new ArgumentException($"dtype {type} has no safetensors name");

    public static int ElementSize(ScalarType type) => type switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        _ => 1,
    };

    public static IEnumerable<string> SupportedDTypes => DTypes.Keys;

    public static bool TryGetDType(string name, out ScalarType type) => DTypes.TryGetValue(name, out type);

    /// <summary>Reads and validates the header; returns the entries and where the data section starts.</summary>
    public static (IReadOnlyList<SafetensorsEntry> Entries, long DataStart, IReadOnlyDictionary<string, string> Metadata) ReadHeader(string path)
    {
        using var file = File.OpenRead(path);
        var header = ReadHeaderBytes(path, file);
        var (entries, metadata) = SafetensorsHeader.Parse(path, header, SizeBytes);
        long dataStart = SizeBytes + header.Length;
        SafetensorsHeader.CheckLayout(path, entries, file.Length - dataStart);
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

    /// <summary>The crate's checks, in its order: 8 size bytes, a size within the limit, a header within the file.</summary>
    private static byte[] ReadHeaderBytes(string path, FileStream file)
    {
        if (file.Length < SizeBytes)
            throw Corrupt(path, $"the file is {file.Length} bytes, shorter than the {SizeBytes}-byte header size");
        Span<byte> sizeBytes = stackalloc byte[SizeBytes];
        file.ReadExactly(sizeBytes);
        ulong size = BinaryPrimitives.ReadUInt64LittleEndian(sizeBytes);
        if (size > MaxHeaderBytes) throw Corrupt(path, $"header size {size} exceeds the limit of {MaxHeaderBytes} bytes");
        if (size > (ulong)(file.Length - SizeBytes))
            throw Corrupt(path, $"header size {size} reaches beyond the end of the file ({file.Length} bytes)");
        var header = new byte[size];
        file.ReadExactly(header);
        return header;
    }

    private static DataFormatException Corrupt(string path, string problem) => new(path, 0, "header", problem);
}
