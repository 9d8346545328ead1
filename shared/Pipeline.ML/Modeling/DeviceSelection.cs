using static TorchSharp.torch;

namespace Pipeline.ML.Modeling;

/// <summary>Resolves <c>auto</c> (CUDA when available), <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c> to a device.</summary>
public static class DeviceSelection
{
    public static Device Resolve(string choice) => choice.Trim().ToLowerInvariant() switch
    {
        "auto" => cuda.is_available() ? CUDA : CPU,
        "cpu" => CPU,
        var name when name.StartsWith("cuda") => cuda.is_available()
            ? new Device(name)
            : throw new InvalidOperationException($"device '{choice}' requested but CUDA is not available (build with -p:TorchBackend=cuda on a machine with an NVIDIA driver)"),
        _ => throw new ArgumentException($"device must be auto, cpu or cuda[:N] (got '{choice}')"),
    };
}
