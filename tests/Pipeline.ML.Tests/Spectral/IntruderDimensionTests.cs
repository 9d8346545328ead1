using Pipeline.ML.Spectral;
using static TorchSharp.torch;

namespace Pipeline.ML.Tests.Spectral;

public class IntruderDimensionTests
{
    private static readonly SpectralOptions Options = new([0.9]);

    [Fact]
    public void Planted_new_direction_is_an_intruder()
    {
        using var scope = NewDisposeScope();
        var m = new Matrices(11);
        var w0 = Pretrained(m, 128, 96);
        var planted = 30f * m.UnitVector(128).matmul(m.UnitVector(96).t());
        using var analyzer = new SpectralAnalyzer();

        var result = analyzer.Analyze(new WeightPair("w", 0, "q", w0, w0 + planted), Options);

        Assert.Equal(1, result.IntrudersAt(0.5));
        Assert.Equal(1, result.IntrudersAt(0.6));
    }

    [Fact]
    public void Planted_direction_inside_the_base_is_no_intruder()
    {
        using var scope = NewDisposeScope();
        var m = new Matrices(12);
        var u0 = m.Orthonormal(128, 96);
        var w0 = u0.mul(Decay(96)).matmul(m.Orthonormal(96, 96).t());
        // Boost a base direction that lies deep in the spectrum to the top: it moves, but W_base already has it.
        var boosted = 30f * u0.narrow(1, 50, 1).matmul(m.UnitVector(96).t());
        using var analyzer = new SpectralAnalyzer();

        var result = analyzer.Analyze(new WeightPair("w", 0, "q", w0, w0 + boosted), Options);

        Assert.Equal(0, result.IntrudersAt(0.5));
    }

    [Fact]
    public void Unchanged_matrix_has_no_intruders()
    {
        using var scope = NewDisposeScope();
        var w0 = Pretrained(new Matrices(13), 96, 128);
        using var analyzer = new SpectralAnalyzer();

        var result = analyzer.Analyze(new WeightPair("w", 0, "down", w0, w0.clone()), Options);

        Assert.Equal([new IntruderCount(0.5, 0), new IntruderCount(0.6, 0)], result.Intruders);
    }

    [Fact]
    public void Small_dense_update_has_no_intruders()
    {
        using var scope = NewDisposeScope();
        var m = new Matrices(14);
        var w0 = Pretrained(m, 128, 96);
        using var analyzer = new SpectralAnalyzer();

        var result = analyzer.Analyze(new WeightPair("w", 0, "up", w0, w0 + 1e-3f * m.Gaussian(128, 96)), Options);

        Assert.Equal(0, result.IntrudersAt(0.6));
    }

    [Fact]
    public void Intruders_can_be_switched_off()
    {
        using var scope = NewDisposeScope();
        var w0 = Pretrained(new Matrices(15), 32, 32);
        using var analyzer = new SpectralAnalyzer();

        var result = analyzer.Analyze(new WeightPair("w", 0, "q", w0, w0 + 1f), Options with { Intruders = false });

        Assert.Null(result.Intruders);
        Assert.Null(result.IntrudersAt(0.5));
        Assert.Equal(0, analyzer.BaseDecompositions - 1);
    }

    /// <summary>Well-separated top singular values, so the base's top vectors are stable under small updates.</summary>
    private static Tensor Pretrained(Matrices m, long rows, long cols)
    {
        long k = Math.Min(rows, cols);
        return m.Orthonormal(rows, k).mul(Decay(k)).matmul(m.Orthonormal(cols, k).t());
    }

    private static Tensor Decay(long k) => tensor(Enumerable.Range(0, (int)k).Select(i => 10f * MathF.Pow(0.85f, i)).ToArray());
}
