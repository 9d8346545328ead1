using System.Text.Json;
using Pipeline.Data;
using Pipeline.ML.Checkpoints;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.ML.Training;

/// <summary>
/// Everything a killed run needs to continue exactly: trainable weights, optimizer moments, the RNG, the step (which
/// is also the data position, since batches are a function of their index) and the losses so far. Each save goes to a
/// new folder and then a one-line <c>latest</c> pointer is swapped atomically, so a crash mid-save loses nothing.
/// </summary>
public sealed record TrainingState(long Step, long Tokens, List<double> Losses, int NextMilestone)
{
    private const string Pointer = "latest";

    public static TrainingState Fresh => new(0, 0, [], 0);

    public void Save(string root, IEnumerable<(string Name, Parameter Parameter)> trainable, Optimizer optimizer)
    {
        var folder = $"step-{Step:D8}";
        AtomicFile.WriteDirectory(Path.Combine(root, folder), temp =>
        {
            File.WriteAllText(Path.Combine(temp, "state.json"), JsonSerializer.Serialize(this));
            Safetensors.Save(Path.Combine(temp, "weights.safetensors"), trainable.ToDictionary(p => p.Name, p => (Tensor)p.Parameter));
            Safetensors.Save(Path.Combine(temp, "optimizer.safetensors"), optimizer.StateDict());
            using var rng = get_rng_state();
            Safetensors.Save(Path.Combine(temp, "rng.safetensors"), new Dictionary<string, Tensor> { ["cpu"] = rng });
        });
        AtomicFile.WriteAllText(Path.Combine(root, Pointer), folder);
        foreach (var old in Directory.GetDirectories(root, "step-*").Where(d => Path.GetFileName(d) != folder))
            Directory.Delete(old, recursive: true);
    }

    /// <summary>Restores weights, optimizer and RNG from the latest saved state, or returns null when there is none.</summary>
    public static TrainingState? TryLoad(string root, IReadOnlyList<(string Name, Parameter Parameter)> trainable, Optimizer optimizer)
    {
        var pointer = Path.Combine(root, Pointer);
        if (!File.Exists(pointer)) return null;
        var folder = Path.Combine(root, File.ReadAllText(pointer).Trim());
        var stateFile = Path.Combine(folder, "state.json");
        var state = JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(stateFile))
            ?? throw new InvalidDataException($"{stateFile}: empty training state");
        RestoreWeights(Path.Combine(folder, "weights.safetensors"), trainable);
        var optimizerState = Safetensors.Load(Path.Combine(folder, "optimizer.safetensors"));
        optimizer.LoadStateDict(optimizerState);
        foreach (var tensor in optimizerState.Values) tensor.Dispose();
        var rng = Safetensors.Load(Path.Combine(folder, "rng.safetensors"));
        set_rng_state(rng["cpu"]);
        rng["cpu"].Dispose();
        return state;
    }

    private static void RestoreWeights(string file, IReadOnlyList<(string Name, Parameter Parameter)> trainable)
    {
        var weights = Safetensors.Load(file);
        using var noGrad = no_grad();
        foreach (var (name, parameter) in trainable)
        {
            if (!weights.TryGetValue(name, out var saved)) throw new InvalidDataException($"{file}: missing trainable weight '{name}'");
            StoredDType.RequireLoadable(file, name, saved.dtype, parameter);
            parameter.copy_(saved);
        }
        foreach (var tensor in weights.Values) tensor.Dispose();
    }
}
