using Pipeline.ML.Benchmarks;
using Pipeline.ML.Spectral;
using static TorchSharp.torch;

namespace Pipeline.ML.Tests.Spectral;

public class SpectralAnalyzerTests
{
    private static readonly SpectralOptions NoIntruders = new([0.6, 0.9, 0.95], Intruders: false);

    [Fact]
    public void Delta_with_chosen_singular_values_gives_the_exact_ranks()
    {
        using var scope = NewDisposeScope();
        var m = new Matrices(1);
        float[] sigma = new[] { 50f, 20, 10, 8, 5, 4, 2, 1 }.Select(MathF.Sqrt).ToArray();
        var w0 = 0.01f * m.Gaussian(96, 64);
        var delta = m.WithSpectrum(96, 64, sigma);
        using var analyzer = new SpectralAnalyzer();

        var result = analyzer.Analyze(new WeightPair("w", 0, "q", w0, w0 + delta), NoIntruders);

        Assert.Equal([2, 5, 6], result.Ranks.Select(r => r.Delta));
        Assert.Equal(2.0, result.StableRank, 3);
        Assert.Equal(10.0, result.DeltaNorm, 3);
        Assert.Equal(10.0 / w0.norm().item<float>(), result.RelativeNorm, 3);
        Assert.Equal(64, result.Spectrum.Length);
        Assert.Equal(sigma, result.Spectrum.Take(8), (a, b) => Math.Abs(a - b) < 1e-4);
        Assert.All(result.Spectrum.Skip(8), s => Assert.True(s < 1e-4, $"trailing singular value {s}"));
    }

    [Fact]
    public void Lora_delta_has_rank_at_most_r()
    {
        using var scope = NewDisposeScope();
        var m = new Matrices(2);
        const int r = 4;
        var w0 = 0.02f * m.Gaussian(80, 48);
        var a = m.Gaussian(r, 48);
        var b = m.Gaussian(80, r);
        using var analyzer = new SpectralAnalyzer();
        var options = new SpectralOptions([0.9, 0.999, 1.0], Intruders: false);

        var factored = analyzer.Analyze(new LoraDelta("w", 0, "v", w0, a, b, 2.0), options);
        var merged = analyzer.Analyze(new WeightPair("w", 0, "v", w0, w0 + 2.0 * b.matmul(a)), options);

        Assert.All(factored.Ranks, x => Assert.InRange(x.Delta, 1, r));
        Assert.All(merged.Ranks.Take(2), x => Assert.InRange(x.Delta, 1, r));
        Assert.Equal(r, factored.Spectrum.Count(s => s > 0));
        Assert.All(merged.Spectrum.Skip(r), s => Assert.True(s < 1e-4 * merged.Spectrum[0], $"singular value {s} beyond rank r"));
    }

    [Fact]
    public void Merged_adapter_and_adapter_alone_give_the_same_spectrum()
    {
        using var scope = NewDisposeScope();
        var m = new Matrices(3);
        var w0 = 0.02f * m.Gaussian(64, 96);
        var a = 0.1f * m.Gaussian(8, 96);
        var b = 0.1f * m.Gaussian(64, 8);
        const double scaling = 16.0 / 8;   // α = 2r
        var merged = w0 + b.matmul(a).mul(scaling);
        using var analyzer = new SpectralAnalyzer();
        var options = new SpectralOptions([0.5, 0.9, 0.99]);

        var fromAdapter = analyzer.Analyze(new LoraDelta("w", 3, "o", w0, a, b, scaling), options);
        var fromMerged = analyzer.Analyze(new WeightPair("w", 3, "o", w0, merged), options);

        float tolerance = 1e-5f * fromAdapter.Spectrum[0];
        Assert.Equal(fromAdapter.Spectrum, fromMerged.Spectrum, (x, y) => Math.Abs(x - y) < tolerance);
        Assert.Equal(fromAdapter.Ranks, fromMerged.Ranks);
        Assert.Equal(fromAdapter.StableRank, fromMerged.StableRank, 4);
        Assert.Equal(fromAdapter.EffectiveRank, fromMerged.EffectiveRank, 2);
        Assert.Equal(fromAdapter.RelativeNorm, fromMerged.RelativeNorm, 5);
        Assert.Equal(fromAdapter.Intruders, fromMerged.Intruders);
    }

    [Fact]
    public void Fp32_singular_values_agree_with_fp64()
    {
        using var scope = NewDisposeScope();
        var m = new Matrices(4);
        var sigma = Enumerable.Range(0, 128).Select(i => 10f * MathF.Pow(0.95f, i)).ToArray();
        var matrix = m.WithSpectrum(192, 128, sigma) + 1e-3f * m.Gaussian(192, 128);

        var fp32 = linalg.svdvals(matrix).data<float>().ToArray();
        var fp64 = linalg.svdvals(matrix.to(ScalarType.Float64)).data<double>().ToArray();

        double worst = fp32.Zip(fp64, (x, y) => Math.Abs(x - y)).Max();
        Assert.True(worst < 1e-5 * fp64[0], $"fp32 singular values off by {worst:E2}, σ₁ = {fp64[0]:F3}");
        var fp64AsFloat = fp64.Select(x => (float)x).ToArray();
        foreach (var t in new[] { 0.5, 0.9, 0.99 })
            Assert.Equal(SpectrumMath.RankForVariance(fp64AsFloat, t), SpectrumMath.RankForVariance(fp32, t));
    }

    [Theory]
    [InlineData(48, 80)]
    [InlineData(80, 48)]
    public void Left_singular_vectors_are_orthonormal_and_carry_the_spectrum(int rows, int cols)
    {
        using var scope = NewDisposeScope();
        var matrix = new Matrices(7).Gaussian(rows, cols);

        var (left, values) = SingularValues.WithLeftVectors(matrix, "w");

        int k = Math.Min(rows, cols);
        Assert.Equal(new long[] { rows, k }, left.shape);
        Assert.True(left.t().matmul(left).allclose(eye(k), atol: 1e-5));
        // ‖u_iᵀ·M‖ = σ_i exactly when u_i is the i-th left singular vector.
        var projected = left.t().matmul(matrix).norm(1).data<float>().ToArray();
        Assert.Equal(values, projected, (x, y) => Math.Abs(x - y) < 1e-4 * values[0]);
        Assert.Equal(SingularValues.Of(matrix, "w"), values, (x, y) => Math.Abs(x - y) < 1e-5 * values[0]);
    }

    [Fact]
    public void Unchanged_matrix_has_zero_rank_and_norm()
    {
        using var scope = NewDisposeScope();
        var w0 = new Matrices(5).Gaussian(32, 48);
        using var analyzer = new SpectralAnalyzer();

        var result = analyzer.Analyze(new WeightPair("w", 0, "k", w0, w0.clone()), NoIntruders);

        Assert.All(result.Ranks, r => Assert.Equal(0, r.Delta));
        Assert.All(result.Ranks, r => Assert.InRange(r.Base, 1, 32));
        Assert.Equal(0, result.RelativeNorm);
    }

    [Fact]
    public void Bf16_weights_are_analysed_in_fp32()
    {
        using var scope = NewDisposeScope();
        var m = new Matrices(6);
        var w0 = m.Gaussian(32, 32).to(ScalarType.BFloat16);
        var w1 = (w0.to(ScalarType.Float32) + m.Gaussian(32, 32)).to(ScalarType.BFloat16);
        using var analyzer = new SpectralAnalyzer();

        var result = analyzer.Analyze(new WeightPair("w", 0, "q", w0, w1), NoIntruders);

        Assert.Equal(32, result.Spectrum.Length);
        Assert.InRange(result.RankAt(0.9).Delta, 15, 32);
    }

    [Fact]
    public void Base_decompositions_are_cached_across_checkpoints()
    {
        using var scope = NewDisposeScope();
        var (baseWeights, first) = RankBenchmark.SyntheticCheckpoint(layers: 1, hidden: 32, intermediate: 48, seed: 1);
        var (_, second) = RankBenchmark.SyntheticCheckpoint(layers: 1, hidden: 32, intermediate: 48, seed: 2);
        using var analyzer = new SpectralAnalyzer();
        var progress = new List<(int Done, int Total)>();

        analyzer.Analyze(WeightPair.Pair(baseWeights, first).ToList(), NoIntruders, (d, t) => progress.Add((d, t)));
        analyzer.Analyze(WeightPair.Pair(baseWeights, second).ToList(), NoIntruders);
        Assert.Equal(7, analyzer.BaseDecompositions);

        // Turning intruders on needs the base vectors, decomposed once more per matrix, then cached too.
        analyzer.Analyze(WeightPair.Pair(baseWeights, second).ToList());
        analyzer.Analyze(WeightPair.Pair(baseWeights, first).ToList());
        Assert.Equal(14, analyzer.BaseDecompositions);
        Assert.Equal(Enumerable.Range(1, 7).Select(i => (i, 7)), progress);
    }

    [Fact]
    public void Analysis_leaves_only_the_cached_base_vectors_alive()
    {
        using var scope = NewDisposeScope();
        var (baseWeights, finetuned) = RankBenchmark.SyntheticCheckpoint(layers: 1, hidden: 32, intermediate: 48);
        var pairs = WeightPair.Pair(baseWeights, finetuned).ToList();
        var stats = TorchSharp.DisposeScopeManager.Statistics;
        long before = stats.ThreadTotalLiveCount;

        var analyzer = new SpectralAnalyzer();
        analyzer.Analyze(pairs);
        long afterFirst = stats.ThreadTotalLiveCount;
        analyzer.Analyze(pairs);
        analyzer.Analyze(pairs.Select(p => new LoraDelta(p.Name, p.Layer, p.Module, p.Base, ones(2, p.Base.shape[1]), ones(p.Base.shape[0], 2), 1.0)).ToList());
        long afterMore = stats.ThreadTotalLiveCount - 14;   // the LoRA factors made above
        analyzer.Dispose();

        Assert.Equal(before + pairs.Count, afterFirst);
        Assert.Equal(afterFirst, afterMore);
        Assert.Equal(before + 14, stats.ThreadTotalLiveCount);
    }

    [Fact]
    public void Cached_results_equal_fresh_results()
    {
        using var scope = NewDisposeScope();
        var (baseWeights, finetuned) = RankBenchmark.SyntheticCheckpoint(layers: 1, hidden: 32, intermediate: 48);
        var pairs = WeightPair.Pair(baseWeights, finetuned).ToList();
        using var analyzer = new SpectralAnalyzer();

        var fresh = analyzer.Analyze(pairs);
        var cached = analyzer.Analyze(pairs);
        using var other = new SpectralAnalyzer();
        var elsewhere = other.Analyze(pairs);

        Assert.Equal(fresh.Select(Summary), cached.Select(Summary));
        Assert.Equal(fresh.Select(Summary), elsewhere.Select(Summary));
    }

    [Fact]
    public void Mismatched_shapes_name_the_weight()
    {
        using var scope = NewDisposeScope();
        using var analyzer = new SpectralAnalyzer();
        var error = Assert.Throws<ArgumentException>(() =>
            analyzer.Analyze(new WeightPair("model.layers.0.mlp.up_proj.weight", 0, "up", zeros(4, 3), zeros(3, 4))));
        Assert.Contains("model.layers.0.mlp.up_proj.weight", error.Message);
    }

    [Fact]
    public void Non_finite_weights_name_the_weight()
    {
        using var scope = NewDisposeScope();
        using var analyzer = new SpectralAnalyzer();
        var w1 = zeros(4, 4);
        w1[1, 2] = tensor(float.NaN);
        var error = Assert.ThrowsAny<Exception>(() =>
            analyzer.Analyze(new WeightPair("model.layers.2.self_attn.q_proj.weight", 2, "q", zeros(4, 4), w1), NoIntruders));
        Assert.Contains("model.layers.2.self_attn.q_proj.weight", error.Message);
    }

    private static string Summary(MatrixSpectrum s) =>
        $"{s.Name} {string.Join(",", s.Ranks)} {s.StableRank:R} {s.EffectiveRank:R} {s.RelativeNorm:R} {string.Join(",", s.Intruders!)}";
}
