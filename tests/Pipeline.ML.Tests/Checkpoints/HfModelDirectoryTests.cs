using System.Buffers.Binary;
using System.Text;
using Pipeline.Data;
using Pipeline.ML.Checkpoints;
using Pipeline.ML.Modeling;
using static TorchSharp.torch;

namespace Pipeline.ML.Tests.Checkpoints;

public class HfModelDirectoryTests
{
    [Fact]
    public void Save_then_load_is_bit_exact()
    {
        using var model = TinyModels.Create(seed: 3);
        var directory = TinyModels.TempDirectory();
        HfModelDirectory.Save(model, directory);
        using var loaded = HfModelDirectory.Load(directory);
        AssertSameWeights(model, loaded);
        Assert.Equal(model.Config, loaded.Config);
        Assert.True(File.Exists(Path.Combine(directory, "generation_config.json")));
    }

    [Fact]
    public void Sharded_checkpoints_load_through_their_index()
    {
        using var model = TinyModels.Create(seed: 4);
        var directory = TinyModels.TempDirectory();
        HfModelDirectory.Save(model, directory, maxShardBytes: 16_000);
        Assert.True(File.Exists(Path.Combine(directory, HfModelDirectory.IndexFile)));
        Assert.True(Directory.GetFiles(directory, "model-*-of-*.safetensors").Length > 1);
        using var loaded = HfModelDirectory.Load(directory);
        AssertSameWeights(model, loaded);
    }

    [Theory]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    public void Half_precision_weights_load_into_an_fp32_model(ScalarType dtype)
    {
        using var model = TinyModels.Create(seed: 5);
        var directory = TinyModels.TempDirectory();
        HfModelDirectory.Save(model, directory, dtype);
        Assert.Contains(HfModelDirectory.TorchDtypeName(dtype), File.ReadAllText(Path.Combine(directory, "config.json")));
        using var loaded = HfModelDirectory.Load(directory);
        foreach (var (name, weight) in HfModelDirectory.BaseParameters(model))
        {
            using var rounded = weight.to_type(dtype).to_type(ScalarType.Float32);
            Assert.True(rounded.BitEqual(HfModelDirectory.BaseParameters(loaded)[name]), name);
        }
    }

    [Fact]
    public void Truncated_safetensors_names_the_file_and_tensor()
    {
        var directory = SavedModel();
        var file = Path.Combine(directory, "model.safetensors");
        var bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..^100]);
        var error = Assert.Throws<DataFormatException>(() => HfModelDirectory.Load(directory));
        Assert.Contains(file, error.Message);
        Assert.Contains("beyond the file", error.Message);
    }

    [Fact]
    public void Header_length_beyond_the_file_is_reported()
    {
        var directory = SavedModel();
        var file = Path.Combine(directory, "model.safetensors");
        var bytes = File.ReadAllBytes(file);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)bytes.Length * 2);
        File.WriteAllBytes(file, bytes);
        var error = Assert.Throws<DataFormatException>(() => HfModelDirectory.Load(directory));
        Assert.Contains("header size", error.Message);
        Assert.Contains("beyond the end of the file", error.Message);
    }

    [Fact]
    public void Unknown_dtype_is_reported_with_the_tensor_name()
    {
        var directory = SavedModel();
        RewriteHeader(Path.Combine(directory, "model.safetensors"), header => header.Replace("\"F32\"", "\"Q4\""));
        var error = Assert.Throws<DataFormatException>(() => HfModelDirectory.Load(directory));
        Assert.Contains("unknown dtype 'Q4'", error.Message);
    }

    [Fact]
    public void Overlapping_offsets_are_reported()
    {
        var file = Path.Combine(TinyModels.TempDirectory(), "x.safetensors");
        using (var a = ones(4)) using (var b = ones(4))
            Safetensors.Save(file, new Dictionary<string, Tensor> { ["a"] = a, ["b"] = b });
        RewriteHeader(file, header => header.Replace("[16,32]", "[8,24]"));
        var error = Assert.Throws<DataFormatException>(() => Safetensors.Load(file));
        Assert.Contains("overlap the previous tensor 'a'", error.Message);
    }

    [Fact]
    public void A_shape_that_disagrees_with_config_json_is_reported()
    {
        var directory = SavedModel();
        var configPath = Path.Combine(directory, "config.json");
        File.WriteAllText(configPath, File.ReadAllText(configPath).Replace("\"intermediate_size\": 64", "\"intermediate_size\": 48"));
        var error = Assert.Throws<InvalidDataException>(() => HfModelDirectory.Load(directory));
        Assert.Contains("model.layers.0.mlp.down_proj.weight' has shape [32, 64] but config.json implies [32, 48]", error.Message);
    }

    [Fact]
    public void Heads_that_do_not_divide_the_hidden_size_are_reported_with_the_file()
    {
        var directory = SavedModel();
        var configPath = Path.Combine(directory, "config.json");
        File.WriteAllText(configPath, File.ReadAllText(configPath)
            .Replace("\"num_attention_heads\": 4", "\"num_attention_heads\": 3")
            .Replace("\"num_key_value_heads\": 2", "\"num_key_value_heads\": 3")
            .Replace("\"head_dim\": 8,", ""));
        var error = Assert.Throws<InvalidDataException>(() => HfModelDirectory.Load(directory));
        Assert.Contains(configPath, error.Message);
        Assert.Contains("num_attention_heads (3) must divide hidden_size (32)", error.Message);
    }

    private static string SavedModel()
    {
        using var model = TinyModels.Create();
        var directory = TinyModels.TempDirectory();
        HfModelDirectory.Save(model, directory);
        return directory;
    }

    private static void RewriteHeader(string file, Func<string, string> edit)
    {
        var bytes = File.ReadAllBytes(file);
        int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = edit(Encoding.UTF8.GetString(bytes, 8, length)).PadRight(length);
        Assert.Equal(length, Encoding.UTF8.GetByteCount(header));
        Encoding.UTF8.GetBytes(header).CopyTo(bytes, 8);
        File.WriteAllBytes(file, bytes);
    }

    internal static void AssertSameWeights(LlamaForCausalLM expected, LlamaForCausalLM actual)
    {
        var actualWeights = HfModelDirectory.BaseParameters(actual);
        foreach (var (name, weight) in HfModelDirectory.BaseParameters(expected))
            Assert.True(weight.BitEqual(actualWeights[name]), $"{name} differs");
    }
}
