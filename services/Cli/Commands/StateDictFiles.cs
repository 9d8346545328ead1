using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Pipeline.Cli.Commands;

/// <summary>Reads a safetensors file, or every <c>*.safetensors</c> shard of a model directory, onto a device.</summary>
internal static class StateDictFiles
{
    public static Dictionary<string, Tensor> Load(string path, Device device)
    {
        var files = Directory.Exists(path)
            ? Directory.GetFiles(path, "*.safetensors").Order().ToArray()
            : [path];
        if (files.Length == 0) throw new FileNotFoundException($"No .safetensors files in '{path}'.", path);

        var weights = new Dictionary<string, Tensor>();
        foreach (var file in files)
            foreach (var (key, tensor) in Safetensors.LoadStateDict(file))
            {
                if (!weights.TryAdd(key, tensor.to(device)))
                    throw new InvalidDataException($"'{file}': tensor '{key}' also appears in another shard.");
            }
        return weights;
    }

    public static Device ParseDevice(string name) => new(name);

    public static string? Missing(params string?[] paths) =>
        paths.FirstOrDefault(p => p is not null && !File.Exists(p) && !Directory.Exists(p));
}
