using static TorchSharp.torch;

namespace Pipeline.ML.Spectral;

/// <summary>
/// fp32 singular values and vectors on the matrix's own device, values copied to the host in descending order.
/// Wide matrices are decomposed through their transpose (a free view with the same singular values): LAPACK's
/// divide-and-conquer SVD is several times slower on rows &lt; cols than on the transposed tall matrix.
/// </summary>
internal static class SingularValues
{
    public static float[] Of(Tensor matrix, string name) =>
        ToHost(linalg.svdvals(Tall(matrix)), name);

    /// <summary>Left singular vectors (rows × min) and the singular values of <paramref name="matrix"/>.</summary>
    public static (Tensor Left, float[] Values) WithLeftVectors(Tensor matrix, string name)
    {
        if (matrix.shape[0] >= matrix.shape[1])
        {
            var (u, s, _) = linalg.svd(matrix, fullMatrices: false);
            return (u, ToHost(s, name));
        }
        // Mᵀ = V·S·Uᵀ, so M's left vectors are the rows of the transpose's Vᴴ.
        var (_, sT, vhT) = linalg.svd(matrix.t(), fullMatrices: false);
        return (vhT.t(), ToHost(sT, name));
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

    private static Tensor Tall(Tensor matrix) => matrix.shape[0] >= matrix.shape[1] ? matrix : matrix.t();

    private static float[] ToHost(Tensor values, string name)
    {
        var host = values.cpu().data<float>().ToArray();
        foreach (var v in host)
            if (!float.IsFinite(v))
                throw new ArithmeticException($"Weight '{name}': the matrix has non-finite entries (singular value {v}).");
        return host;
    }
}
