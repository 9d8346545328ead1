using Pipeline.ML.Checkpoints;
using static TorchSharp.torch;

namespace Pipeline.Cli.Commands;

/// <summary>Reads a safetensors file, or a whole (possibly sharded) model directory, onto a device.</summary>
internal static class StateDictFiles
{
    public static Dictionary<string, Tensor> Load(string path, Device device)
    {
        if (!Directory.Exists(path)) return Safetensors.Load(path).ToDictionary(p => p.Key, p => p.Value.to(device));
        var weights = ModelWeights.Open(path);
        return weights.Names.ToDictionary(name => name, name => weights.Read(name).to(device));
    }

    public static string? Missing(params string?[] paths) =>
        paths.FirstOrDefault(p => p is not null && !File.Exists(p) && !Directory.Exists(p));
}
