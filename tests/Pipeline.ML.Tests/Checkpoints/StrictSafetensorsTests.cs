using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Pipeline.Data;
using Pipeline.ML.Checkpoints;
using static TorchSharp.torch;

namespace Pipeline.ML.Tests.Checkpoints;

/// <summary>
/// One test per rule of the reference crate's reader (huggingface/safetensors, <c>SafeTensors::read_metadata</c> and
/// <c>Metadata::validate</c>), each on bytes crafted for it; the crate's error variant is named in the test.
/// </summary>
public class StrictSafetensorsTests
{
    private const string A4 = """{"dtype":"F32","shape":[4],"data_offsets":[0,16]}""";

    [Fact]
    public void A_valid_file_with_several_tensors_and_string_metadata_loads_with_its_values()
    {
        var data = Bytes([1f, 2f, 3f, 4f], [7L, -8L], [(byte)1]);
        var file = Write("""
            {"__metadata__":{"format":"pt","note":"ünïcödé"},
             "a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},
             "b":{"dtype":"I64","shape":[2],"data_offsets":[16,32]},
             "empty":{"dtype":"F16","shape":[0,3],"data_offsets":[32,32]},
             "flag":{"dtype":"BOOL","shape":[],"data_offsets":[32,33]}}
            """, data);
        var (_, _, metadata) = Safetensors.ReadHeader(file);
        var tensors = Safetensors.Load(file);
        Assert.Equal(new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcödé" }, metadata);
        Assert.Equal([1f, 2f, 3f, 4f], tensors["a"].data<float>().ToArray());
        Assert.Equal([2L, 2L], tensors["a"].shape);
        Assert.Equal([7L, -8L], tensors["b"].data<long>().ToArray());
        Assert.Equal([0L, 3L], tensors["empty"].shape);
        Assert.True(tensors["flag"].item<bool>());
        foreach (var tensor in tensors.Values) tensor.Dispose();
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"__metadata__":null}""")]
    public void A_file_without_tensors_loads_empty(string header) => Assert.Empty(Safetensors.Load(Write(header)));

    [Theory] // the crate's test_whitespace_padded_header and test_whitespace_leading_padded_header
    [InlineData("{}\r \t\n")]
    [InlineData("\t\n{}\r ")]
    public void A_header_padded_with_JSON_whitespace_on_either_side_loads(string header) => Assert.Empty(Safetensors.Load(Write(header)));

    [Fact] // HeaderTooSmall
    public void A_file_shorter_than_the_8_byte_header_size_is_refused() =>
        AssertRefused(WriteRaw([1, 2, 3]), "header", "the file is 3 bytes, shorter than the 8-byte header size");

    [Fact] // HeaderTooLarge, checked before the file's length as the crate does
    public void A_header_size_above_100_MB_is_refused() =>
        AssertRefused(WriteRaw(Size(100_000_001)), "header", "header size 100000001 exceeds the limit of 100000000 bytes");

    [Fact] // InvalidHeaderLength
    public void A_header_size_beyond_the_end_of_the_file_is_refused() =>
        AssertRefused(WriteRaw([.. Size(1000), .. "{}"u8]), "header", "header size 1000 reaches beyond the end of the file (10 bytes)");

    [Fact] // InvalidHeader
    public void A_header_that_is_not_UTF8_is_refused_with_the_byte_offset() =>
        AssertRefused(WriteRaw([.. Size(5), .. "{\""u8, 0xFF, .. "\"}"u8]), "header", "not valid UTF-8 at byte offset 10");

    [Theory] // InvalidHeaderDeserialization
    [InlineData("{", "not valid JSON at line 1, column 2")]
    [InlineData("{} {}", "not valid JSON")]
    [InlineData("{\"a\":1,}", "not valid JSON")]
    [InlineData("\uFEFF{}", "not valid JSON")]
    [InlineData("[]", "must be a JSON object, found array")]
    [InlineData("""{"\ud800":{}}""", "not valid JSON")]
    public void A_header_that_is_not_one_JSON_object_is_refused(string header, string rule) => AssertRefused(Write(header), "header", rule);

    [Theory]
    [InlineData("""{"__metadata__":{"format":1}}""", "value of 'format' must be a string, found number")]
    [InlineData("""{"__metadata__":{"format":null}}""", "value of 'format' must be a string, found null")]
    [InlineData("""{"__metadata__":["pt"]}""", "must be an object of strings, found array")]
    [InlineData("""{"__metadata__":{"format":"pt","format":"tf"}}""", "key 'format' appears twice")]
    public void Metadata_must_map_strings_to_strings(string header, string rule) => AssertRefused(Write(header), "__metadata__", rule);

    [Fact]
    public void A_duplicate_metadata_block_is_refused() =>
        AssertRefused(Write("""{"__metadata__":{},"__metadata__":{}}"""), "__metadata__", "appears twice in the header");

    [Fact] // the crate silently keeps the last one; the specification forbids duplicate keys
    public void A_tensor_named_twice_is_refused() =>
        AssertRefused(Write($$$"""{"a":{{{A4}}},"a":{{{A4}}}}""", new byte[16]), "a", "appears twice in the header");

    [Theory]
    [InlineData("""{"a":[0,16]}""", "must be an object with dtype, shape and data_offsets, found array")]
    [InlineData("""{"a":{"shape":[4],"data_offsets":[0,16]}}""", "missing 'dtype'")]
    [InlineData("""{"a":{"dtype":"F32","data_offsets":[0,16]}}""", "missing 'shape'")]
    [InlineData("""{"a":{"dtype":"F32","shape":[4]}}""", "missing 'data_offsets'")]
    [InlineData("""{"a":{"dtype":"F32","dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", "'dtype' appears twice")]
    [InlineData("""{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16],"stride":[1]}}""", "unknown key 'stride'")]
    public void A_tensor_entry_has_exactly_dtype_shape_and_data_offsets(string header, string rule) =>
        AssertRefused(Write(header, new byte[16]), "a", rule);

    [Theory]
    [InlineData("\"Q4\"", "unknown dtype 'Q4'")]
    [InlineData("\"f32\"", "unknown dtype 'f32'")]
    [InlineData("\"F8_E4M3\"", "dtype 'F8_E4M3' is valid safetensors but cannot be loaded here")]
    [InlineData("4", "dtype must be a string, found number")]
    public void Only_known_dtypes_load(string dtype, string rule) =>
        AssertRefused(Write($$$"""{"a":{"dtype":{{{dtype}}},"shape":[4],"data_offsets":[0,16]}}""", new byte[16]), "a", rule);

    [Theory]
    [InlineData("[-4]")]
    [InlineData("[4.0]")]
    [InlineData("[4e0]")]
    [InlineData("[\"4\"]")]
    [InlineData("4")]
    [InlineData("[99999999999999999999]")]
    public void Shape_dimensions_are_non_negative_integers(string shape) =>
        AssertRefused(Write($$$"""{"a":{"dtype":"F32","shape":{{{shape}}},"data_offsets":[0,16]}}""", new byte[16]), "a",
            "shape must be an array of non-negative integers");

    [Theory]
    [InlineData("[0,-16]", "data_offsets must be an array of non-negative integers")]
    [InlineData("[16]", "data_offsets must be [begin, end], found 1 numbers")]
    [InlineData("[0,16,16]", "data_offsets must be [begin, end], found 3 numbers")]
    public void Data_offsets_are_two_non_negative_integers(string offsets, string rule) =>
        AssertRefused(Write($$$"""{"a":{"dtype":"F32","shape":[4],"data_offsets":{{{offsets}}}}}""", new byte[16]), "a", rule);

    [Fact] // InvalidOffset
    public void Data_offsets_that_begin_after_they_end_are_refused() =>
        AssertRefused(Write("""{"a":{"dtype":"F32","shape":[0],"data_offsets":[16,0]}}""", new byte[16]), "a", "data_offsets [16, 0) begin after they end");

    [Fact] // InvalidOffset
    public void Overlapping_tensors_are_refused() =>
        AssertRefused(Write($$$"""{"a":{{{A4}}},"b":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}}""", new byte[24]), "b",
            "data_offsets [8, 24) overlap the previous tensor 'a', which ends at 16");

    [Fact] // InvalidOffset
    public void A_gap_between_tensors_is_refused() =>
        AssertRefused(Write($$$"""{"a":{{{A4}}},"b":{"dtype":"F32","shape":[4],"data_offsets":[20,36]}}""", new byte[36]), "b",
            "data_offsets [20, 36) leave bytes [16, 20) of the data section to no tensor");

    [Fact] // InvalidOffset
    public void Tensors_must_start_at_data_offset_0() =>
        AssertRefused(Write("""{"a":{"dtype":"F32","shape":[4],"data_offsets":[4,20]}}""", new byte[20]), "a",
            "data_offsets [4, 20) leave bytes [0, 4) of the data section to no tensor");

    [Fact] // MetadataIncompleteBuffer
    public void Data_bytes_that_belong_to_no_tensor_are_refused()
    {
        var file = Write($$$"""{"a":{{{A4}}}}""", new byte[20]);
        var error = AssertRefused(file, null, "the tensors cover 16 of the 20 data bytes; every byte must belong to exactly one tensor");
        Assert.Null(error.Field);
    }

    [Fact] // MetadataIncompleteBuffer
    public void A_truncated_data_section_is_refused() =>
        AssertRefused(Write($$$"""{"a":{{{A4}}}}""", new byte[12]), "a", "data_offsets [0, 16) end beyond the file's 12 data bytes (truncated?)");

    [Fact] // TensorInvalidInfo
    public void Data_offsets_that_do_not_span_the_shape_times_the_dtype_size_are_refused() =>
        AssertRefused(Write("""{"a":{"dtype":"BF16","shape":[2,3],"data_offsets":[0,16]}}""", new byte[16]), "a",
            "data_offsets [0, 16) span 16 bytes but BF16[2, 3] takes 12");

    [Fact] // ValidationOverflow
    public void A_shape_whose_byte_size_overflows_64_bits_is_refused() =>
        AssertRefused(Write("""{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,16]}}""", new byte[16]), "a",
            "the byte size of F32[4611686018427387904, 4] overflows 64 bits");

    [Fact]
    public void Integer_weights_are_refused_for_a_floating_point_parameter()
    {
        var directory = SavedModel();
        var file = Path.Combine(directory, HfModelDirectory.WeightsFile);
        var tensors = Safetensors.Load(file);
        tensors["model.norm.weight"] = ones(tensors["model.norm.weight"].shape, ScalarType.Int32);
        Safetensors.Save(file, tensors);
        var error = Assert.Throws<DataFormatException>(() => HfModelDirectory.Load(directory));
        Assert.Equal($"{file}: field 'model.norm.weight': dtype I32 cannot load into a floating-point parameter (Float32)", error.Message);
    }

    [Fact]
    public void A_config_json_that_is_not_JSON_names_the_file_and_line()
    {
        var directory = SavedModel();
        var config = Path.Combine(directory, HfModelDirectory.ConfigFile);
        File.WriteAllText(config, "{\n  \"hidden_size\": 32,\n  oops\n}");
        var error = Assert.Throws<DataFormatException>(() => HfModelDirectory.Load(directory));
        Assert.StartsWith($"{config}:3: not valid JSON at column 3: ", error.Message);
    }

    [Fact]
    public void An_index_that_is_not_JSON_names_the_file()
    {
        var (directory, index) = ShardedModel();
        File.WriteAllText(index, "{\"weight_map\": ");
        var error = Assert.Throws<DataFormatException>(() => HfModelDirectory.Load(directory));
        Assert.StartsWith($"{index}:1: not valid JSON", error.Message);
    }

    [Fact]
    public void A_weight_map_naming_a_tensor_no_shard_holds_is_refused()
    {
        var (directory, index) = ShardedModel();
        EditWeightMap(index, map => map["model.extra.weight"] = map["model.norm.weight"]!.GetValue<string>());
        var error = Assert.Throws<DataFormatException>(() => HfModelDirectory.Load(directory));
        Assert.Equal("model.extra.weight", error.Field);
        Assert.Contains($"{index}: field 'model.extra.weight': weight_map puts the tensor in model-", error.Message);
        Assert.EndsWith(", which does not contain it", error.Message);
    }

    [Fact]
    public void A_weight_map_naming_the_wrong_shard_is_refused()
    {
        var (directory, index) = ShardedModel();
        var (tensor, shard) = TensorSharingItsShard(index);
        var wrong = ShardsOf(index).Values.First(other => other != shard);
        EditWeightMap(index, map => map[tensor] = wrong);
        var error = Assert.Throws<DataFormatException>(() => HfModelDirectory.Load(directory));
        Assert.Equal($"{index}: field '{tensor}': weight_map puts the tensor in {wrong}, but it is in {shard}", error.Message);
    }

    [Fact]
    public void A_shard_tensor_the_weight_map_does_not_list_is_refused()
    {
        var (directory, index) = ShardedModel();
        var (tensor, shard) = TensorSharingItsShard(index);
        EditWeightMap(index, map => map.Remove(tensor));
        var error = Assert.Throws<DataFormatException>(() => HfModelDirectory.Load(directory));
        Assert.Equal($"{Path.Combine(directory, shard)}: field '{tensor}': the tensor is not listed in {HfModelDirectory.IndexFile}'s weight_map", error.Message);
    }

    [Fact]
    public void A_missing_shard_is_refused()
    {
        var (directory, index) = ShardedModel();
        var shard = ShardsOf(index)["model.norm.weight"];
        File.Delete(Path.Combine(directory, shard));
        var error = Assert.Throws<DataFormatException>(() => HfModelDirectory.Load(directory));
        Assert.StartsWith($"{index}: field '", error.Message);
        Assert.EndsWith($"': shard '{shard}' does not exist", error.Message);
    }

    [Fact]
    public void A_tensor_in_two_shards_is_refused()
    {
        var (directory, index) = ShardedModel();
        var shards = ShardsOf(index);
        var first = Path.Combine(directory, shards["model.norm.weight"]);
        var other = Path.Combine(directory, shards.Values.First(s => s != shards["model.norm.weight"]));
        var tensors = Safetensors.Load(other);
        using (var norm = Safetensors.Load(first)["model.norm.weight"]) tensors["model.norm.weight"] = norm.clone();
        Safetensors.Save(other, tensors);
        var error = Assert.Throws<DataFormatException>(() => HfModelDirectory.Load(directory));
        Assert.Equal("model.norm.weight", error.Field);
        Assert.Contains("the tensor also appears in ", error.Message);
        Assert.Contains(first, error.Message);
        Assert.Contains(other, error.Message);
    }

    private static DataFormatException AssertRefused(string file, string? field, string rule)
    {
        var error = Assert.Throws<DataFormatException>(() => Safetensors.Load(file));
        Assert.Equal(file, error.File);
        Assert.Equal(field, error.Field);
        Assert.StartsWith(field is null ? $"{file}: " : $"{file}: field '{field}': ", error.Message);
        Assert.Contains(rule, error.Message);
        Assert.DoesNotContain('\n', error.Message);
        return error;
    }

    /// <summary>A safetensors file: the 8-byte little-endian size, <paramref name="header"/> in UTF-8, then the data.</summary>
    private static string Write(string header, byte[]? data = null) => WriteRaw([.. Size(Encoding.UTF8.GetByteCount(header)), .. Encoding.UTF8.GetBytes(header), .. data ?? []]);

    private static string WriteRaw(byte[] bytes)
    {
        var file = Path.Combine(TinyModels.TempDirectory(), "model.safetensors");
        File.WriteAllBytes(file, bytes);
        return file;
    }

    private static byte[] Size(long size)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)size);
        return bytes;
    }

    private static byte[] Bytes(float[] floats, long[] longs, byte[] raw) =>
        [.. floats.SelectMany(BitConverter.GetBytes), .. longs.SelectMany(BitConverter.GetBytes), .. raw];

    private static string SavedModel()
    {
        using var model = TinyModels.Create();
        var directory = TinyModels.TempDirectory();
        HfModelDirectory.Save(model, directory);
        return directory;
    }

    private static (string Directory, string Index) ShardedModel()
    {
        using var model = TinyModels.Create();
        var directory = TinyModels.TempDirectory();
        HfModelDirectory.Save(model, directory, maxShardBytes: 16_000);
        return (directory, Path.Combine(directory, HfModelDirectory.IndexFile));
    }

    private static Dictionary<string, string> ShardsOf(string index) =>
        JsonNode.Parse(File.ReadAllText(index))!["weight_map"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>());

    /// <summary>A tensor whose shard the index still lists after the tensor is removed from it or moved.</summary>
    private static (string Tensor, string Shard) TensorSharingItsShard(string index)
    {
        var shared = ShardsOf(index).GroupBy(pair => pair.Value).First(shard => shard.Count() > 1);
        return (shared.First().Key, shared.Key);
    }

    private static void EditWeightMap(string index, Action<JsonObject> edit)
    {
        var json = JsonNode.Parse(File.ReadAllText(index))!.AsObject();
        edit(json["weight_map"]!.AsObject());
        File.WriteAllText(index, json.ToJsonString());
    }
}
