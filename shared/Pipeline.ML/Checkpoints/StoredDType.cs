using Pipeline.Data;
using static TorchSharp.torch;

namespace Pipeline.ML.Checkpoints;

/// <summary>Whether a stored tensor may be copied into a parameter: copy_ converts any dtype into any other, so
/// integer or boolean data would silently become floating-point weights.</summary>
public static class StoredDType
{
    public static void RequireLoadable(string file, string tensor, ScalarType stored, Tensor parameter)
    {
        if (IsFloating(parameter.dtype) && !IsFloating(stored))
            throw new DataFormatException(file, 0, tensor,
                $"dtype {Safetensors.DTypeName(stored)} cannot load into a floating-point parameter ({parameter.dtype})");
    }

    private static bool IsFloating(ScalarType type) =>
        type is ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64;
}
