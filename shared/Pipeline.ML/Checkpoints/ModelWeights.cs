using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace Pipeline.ML.Checkpoints;

/// <summary>
/// The tensors of a Hugging Face model directory, one model.safetensors or the shards its index lists, read one
/// tensor at a time so a 7B checkpoint never has to fit in memory at once.
/// </summary>
public sealed class ModelWeights
{
    private readonly Dictionary<string, (string File, long DataStart, SafetensorsEntry Entry)> index = new();

    private ModelWeights(string directory)
    {
        Directory = directory;
        foreach (var file in Files(directory))
        {
            var (entries, dataStart, _) = Safetensors.ReadHeader(file);
            foreach (var entry in entries)
                if (!index.TryAdd(entry.Name, (file, dataStart, entry)))
                    throw new InvalidDataException($"{file}: tensor '{entry.Name}' also appears in {index[entry.Name].File}");
        }
    }

    public string Directory { get; }
    public IReadOnlyCollection<string> Names => index.Keys;

    public static ModelWeights Open(string directory) => new(directory);

    /// <summary>The tensor's header entry and the file that holds it.</summary>
    public (string File, SafetensorsEntry Entry) Locate(string name) => (Lookup(name).File, Lookup(name).Entry);

    /// <summary>The tensor on the CPU, in its stored dtype.</summary>
    public Tensor Read(string name)
    {
        var (file, dataStart, entry) = Lookup(name);
        using var stream = File.OpenRead(file);
        return Safetensors.ReadTensor(stream, dataStart, entry);
    }

    private (string File, long DataStart, SafetensorsEntry Entry) Lookup(string name) =>
        index.TryGetValue(name, out var location) ? location : throw new KeyNotFoundException($"{Directory}: no tensor '{name}'");

    private static IEnumerable<string> Files(string directory)
    {
        var single = Path.Combine(directory, HfModelDirectory.WeightsFile);
        if (File.Exists(single)) return [single];
        var indexFile = Path.Combine(directory, HfModelDirectory.IndexFile);
        if (!File.Exists(indexFile)) throw new FileNotFoundException($"{directory}: neither {HfModelDirectory.WeightsFile} nor {HfModelDirectory.IndexFile} exists");
        var weightMap = JsonNode.Parse(File.ReadAllText(indexFile))?["weight_map"] as JsonObject
            ?? throw new InvalidDataException($"{indexFile}: missing 'weight_map'");
        return weightMap.Select(pair => pair.Value?.GetValue<string>() ?? throw new InvalidDataException($"{indexFile}: '{pair.Key}' maps to no file"))
            .Distinct()
            .Select(file => ConfinedShard(directory, file, indexFile))
            .ToList();
    }

    private static string ConfinedShard(string directory, string file, string indexFile)
    {
        var root = Path.GetFullPath(directory);
        var path = Path.GetFullPath(Path.Combine(root, file));
        if (Path.GetDirectoryName(path) != root) throw new InvalidDataException($"{indexFile}: shard '{file}' is outside the model directory");
        if (!File.Exists(path)) throw new FileNotFoundException($"{indexFile}: shard '{file}' does not exist");
        return path;
    }
}
