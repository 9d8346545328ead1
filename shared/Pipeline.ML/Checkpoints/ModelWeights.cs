using System.Text.Json.Nodes;
using Pipeline.Data;
using Pipeline.Data.UserData;
using static TorchSharp.torch;

namespace Pipeline.ML.Checkpoints;

/// <summary>
/// The tensors of a Hugging Face model directory, one model.safetensors or the shards its index lists, read one
/// tensor at a time so a 7B checkpoint never has to fit in memory at once. A sharded directory must agree with its
/// index exactly: each tensor in the one shard the weight_map names, and nothing else in any shard.
/// </summary>
public sealed class ModelWeights
{
    private readonly Dictionary<string, (string File, long DataStart, SafetensorsEntry Entry)> index = new();

    private ModelWeights(string directory)
    {
        Directory = directory;
        var single = Path.Combine(directory, HfModelDirectory.WeightsFile);
        if (File.Exists(single))
        {
            AddShard(single);
            return;
        }
        var indexFile = Path.Combine(directory, HfModelDirectory.IndexFile);
        if (!File.Exists(indexFile)) throw new FileNotFoundException($"{directory}: neither {HfModelDirectory.WeightsFile} nor {HfModelDirectory.IndexFile} exists");
        var weightMap = ReadWeightMap(indexFile);
        foreach (var shard in weightMap.Values.Distinct()) AddShard(shard);
        CheckAgainst(weightMap, indexFile);
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

    private void AddShard(string file)
    {
        var (entries, dataStart, _) = Safetensors.ReadHeader(file);
        foreach (var entry in entries)
            if (!index.TryAdd(entry.Name, (file, dataStart, entry)))
                throw new DataFormatException(file, 0, entry.Name, $"the tensor also appears in {index[entry.Name].File}");
    }

    /// <summary>Tensor name → the full path of the shard the index puts it in.</summary>
    private static Dictionary<string, string> ReadWeightMap(string indexFile)
    {
        var weightMap = JsonFile.ReadObject(indexFile)["weight_map"] as JsonObject
            ?? throw new DataFormatException(indexFile, 0, "weight_map", "missing, or not an object of tensor name to shard file");
        var directory = Path.GetDirectoryName(Path.GetFullPath(indexFile))!;
        return weightMap.ToDictionary(pair => pair.Key, pair => pair.Value is JsonValue value && value.TryGetValue<string>(out var shard)
            ? ConfinedShard(directory, shard, indexFile, pair.Key)
            : throw new DataFormatException(indexFile, 0, pair.Key, "must map to a shard file name"));
    }

    private static string ConfinedShard(string directory, string shard, string indexFile, string tensor)
    {
        var path = Path.GetFullPath(Path.Combine(directory, shard));
        if (Path.GetDirectoryName(path) != directory)
            throw new DataFormatException(indexFile, 0, tensor, $"shard '{shard}' is outside the model directory");
        if (!File.Exists(path)) throw new DataFormatException(indexFile, 0, tensor, $"shard '{shard}' does not exist");
        return path;
    }

    private void CheckAgainst(Dictionary<string, string> weightMap, string indexFile)
    {
        foreach (var (name, shard) in weightMap)
        {
            if (!index.TryGetValue(name, out var location))
                throw new DataFormatException(indexFile, 0, name, $"weight_map puts the tensor in {Path.GetFileName(shard)}, which does not contain it");
            if (location.File != shard)
                throw new DataFormatException(indexFile, 0, name,
                    $"weight_map puts the tensor in {Path.GetFileName(shard)}, but it is in {Path.GetFileName(location.File)}");
        }
        foreach (var (name, location) in index.Where(pair => !weightMap.ContainsKey(pair.Key)))
            throw new DataFormatException(location.File, 0, name, $"the tensor is not listed in {Path.GetFileName(indexFile)}'s weight_map");
    }
}
