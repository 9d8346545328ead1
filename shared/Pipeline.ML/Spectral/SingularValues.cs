using static TorchSharp.torch;

namespace Pipeline.ML.Spectral;

/// <summary>fp32 singular values on the matrix's own device, copied to the host in descending order.</summary>
internal static class SingularValues
{
    public static float[] Of(Tensor matrix, string name)
    {
        var values = linalg.svdvals(matrix).cpu().data<float>().ToArray();
        foreach (var v in values)
            if (!float.IsFinite(v))
                throw new ArithmeticException($"Weight '{name}': the matrix has non-finite entries (singular value {v}).");
        return values;
    }

    /// <summary>
    /// σ(s·B·A) without forming the out×in product: with B = Q_B·R_B and Aᵀ = Q_A·R_A, B·A = Q_B·(R_B·R_Aᵀ)·Q_Aᵀ, so the
    /// r×r core carries every nonzero singular value. Zero-padded to <paramref name="length"/> = min(out, in).
    /// </summary>
    public static float[] OfLowRank(Tensor a, Tensor b, double scaling, int length, string name)
    {
        var (_, rB) = linalg.qr(b);
        var (_, rA) = linalg.qr(a.t());
        var core = Of(rB.matmul(rA.t()).mul(Math.Abs(scaling)), name);
        var padded = new float[length];
        core.AsSpan(0, Math.Min(core.Length, length)).CopyTo(padded);
        return padded;
    }
}
