using static TorchSharp.torch;

namespace Pipeline.ML.Tests.Spectral;

/// <summary>Matrices with a chosen spectrum, built from seeded random orthonormal frames.</summary>
internal sealed class Matrices(long seed)
{
    private readonly Generator generator = new(unchecked((ulong)seed), CPU);

    public Tensor Gaussian(long rows, long cols) => randn(rows, cols, generator: generator);

    /// <summary>A rows×k matrix with orthonormal columns.</summary>
    public Tensor Orthonormal(long rows, long k) => linalg.qr(Gaussian(rows, k)).Q;

    /// <summary>U·diag(σ)·Vᵀ with random orthonormal U (rows×len σ) and V (cols×len σ).</summary>
    public Tensor WithSpectrum(long rows, long cols, IReadOnlyList<float> sigma) =>
        Orthonormal(rows, sigma.Count).mul(tensor(sigma.ToArray())).matmul(Orthonormal(cols, sigma.Count).t());

    /// <summary>A unit vector of length n.</summary>
    public Tensor UnitVector(long n)
    {
        var v = Gaussian(n, 1);
        return v / v.norm();
    }
}
