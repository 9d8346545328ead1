using System.Runtime.InteropServices;
using Serilog;
using static TorchSharp.torch;

namespace Pipeline.ML.Spectral;

/// <summary>
/// Spectral rank analysis of weight updates ΔW, on the device of the base weights.
/// <para>
/// Precision: every decomposition runs in fp32 (bf16/fp16 weights are upcast). LAPACK/cuSOLVER SVDs are backward
/// stable, so each singular value carries an absolute error of order ε₃₂·σ₁ ≈ 1e-7·σ₁ (the tests check fp32 against
/// fp64 to 1e-5·σ₁); ranks, norms and entropies are then accumulated in fp64 on the host. Singular values below
/// ~1e-6·σ₁ are noise, which moves a variance rank only when the threshold is within ~1e-12 of a partial sum.
/// </para>
/// <para>
/// One analyzer serves one base model: it caches W_base's spectrum (and, for intruder dimensions, its left singular
/// vectors, as large as W_base itself and kept on its device until <see cref="Dispose"/>) by weight name, and the
/// Gaussian reference spectrum by shape and seed, so later checkpoints of a run pay only for ΔW.
/// </para>
/// </summary>
public sealed class SpectralAnalyzer : IDisposable
{
    private readonly Dictionary<string, BaseDecomposition> bases = new();
    private readonly Dictionary<(long Rows, long Cols, long Seed), float[]> randomSpectra = new();

    /// <summary>How many base decompositions were computed rather than taken from the cache.</summary>
    public int BaseDecompositions { get; private set; }

    public IReadOnlyList<MatrixSpectrum> Analyze(
        IReadOnlyList<WeightPair> pairs, SpectralOptions? options = null, Action<int, int>? progress = null) =>
        AnalyzeEach(pairs, p => Analyze(p, options), progress);

    public IReadOnlyList<MatrixSpectrum> Analyze(
        IReadOnlyList<LoraDelta> deltas, SpectralOptions? options = null, Action<int, int>? progress = null) =>
        AnalyzeEach(deltas, d => Analyze(d, options), progress);

    /// <summary>Analyses ΔW = Finetuned − Base.</summary>
    public MatrixSpectrum Analyze(WeightPair pair, SpectralOptions? options = null)
    {
        options ??= SpectralOptions.Default;
        options.Validate();
        RequireMatrix(pair.Name, pair.Base);
        WeightPair.RequireSameShape(pair.Name, pair.Base, pair.Finetuned);

        using var scope = NewDisposeScope();
        var device = pair.Base.device;
        var w0 = pair.Base.to(ScalarType.Float32, device);
        var w1 = pair.Finetuned.to(ScalarType.Float32, device);
        return NamingFailures(pair.Name, () =>
            Measure(pair.Name, pair.Layer, pair.Module, w0, SingularValues.Of(w1 - w0, pair.Name), options, () => w1));
    }

    /// <summary>Analyses ΔW = s·B·A from the factors; W_ft is formed only for intruder dimensions.</summary>
    public MatrixSpectrum Analyze(LoraDelta lora, SpectralOptions? options = null)
    {
        options ??= SpectralOptions.Default;
        options.Validate();
        lora.Validate();

        using var scope = NewDisposeScope();
        var device = lora.Base.device;
        var w0 = lora.Base.to(ScalarType.Float32, device);
        var a = lora.A.to(ScalarType.Float32, device);
        var b = lora.B.to(ScalarType.Float32, device);
        int length = (int)Math.Min(w0.shape[0], w0.shape[1]);
        return NamingFailures(lora.Name, () => Measure(
            lora.Name, lora.Layer, lora.Module, w0,
            SingularValues.OfLowRank(a, b, lora.Scaling, length, lora.Name), options,
            () => w0 + b.matmul(a).mul(lora.Scaling)));
    }

    public void Dispose()
    {
        foreach (var entry in bases.Values) entry.LeftVectors?.Dispose();
        bases.Clear();
    }

    private MatrixSpectrum Measure(
        string name, int layer, string module, Tensor w0, float[] delta, SpectralOptions options, Func<Tensor> finetuned)
    {
        long rows = w0.shape[0], cols = w0.shape[1];
        var baseDecomposition = BaseOf(name, w0, options.Intruders);
        var random = RandomSpectrum(rows, cols, options.RandomSeed, w0.device);
        var ranks = options.Thresholds.Select(t => new VarianceRank(
            t,
            SpectrumMath.RankForVariance(delta, t),
            SpectrumMath.RankForVariance(baseDecomposition.Values, t),
            SpectrumMath.RankForVariance(random, t))).ToList();

        double deltaNorm = Math.Sqrt(SpectrumMath.Energy(delta));
        double baseNorm = Math.Sqrt(SpectrumMath.Energy(baseDecomposition.Values));
        var intruders = options.Intruders
            ? IntruderDimensions.Count(
                IntruderDimensions.MaxBaseSimilarity(finetuned(), baseDecomposition.LeftVectors!, options.IntruderTopK, name),
                options.Epsilons)
            : null;

        Log.Debug("Spectrum of {Weight}: rank {Rank} at {Threshold}, stable rank {StableRank:F2}",
            name, ranks[0].Delta, ranks[0].Threshold, SpectrumMath.StableRank(delta));
        return new MatrixSpectrum(
            name, layer, module, (int)rows, (int)cols, ranks,
            SpectrumMath.StableRank(delta), SpectrumMath.EffectiveRank(delta),
            deltaNorm, baseNorm == 0 ? double.PositiveInfinity : deltaNorm / baseNorm,
            intruders, delta);
    }

    /// <summary>W_base's spectrum, from the cache when present; with <paramref name="vectors"/>, its left singular vectors too.</summary>
    private BaseDecomposition BaseOf(string name, Tensor w0, bool vectors)
    {
        var shape = (w0.shape[0], w0.shape[1]);
        if (bases.TryGetValue(name, out var cached))
        {
            if (cached.Shape != shape)
                throw new ArgumentException(
                    $"Weight '{name}': base shape [{shape.Item1}, {shape.Item2}] differs from the [{cached.Shape.Item1}, {cached.Shape.Item2}] cached earlier; use one analyzer per base model.");
            if (!vectors || cached.LeftVectors is not null) return cached;
            cached.LeftVectors?.Dispose();
        }

        BaseDecomposition computed;
        if (vectors)
        {
            var (left, values) = SingularValues.WithLeftVectors(w0, name);
            computed = new BaseDecomposition(shape, values, left.contiguous().DetachFromDisposeScope());
        }
        else
        {
            computed = new BaseDecomposition(shape, SingularValues.Of(w0, name), null);
        }
        BaseDecompositions++;
        bases[name] = computed;
        return computed;
    }

    /// <summary>
    /// Spectrum of a seeded standard Gaussian matrix. A matrix and its transpose share singular values, so one
    /// max×min draw (made on the CPU, hence the same on every device) serves both orientations.
    /// </summary>
    private float[] RandomSpectrum(long rows, long cols, long seed, Device device)
    {
        var key = (Math.Max(rows, cols), Math.Min(rows, cols), seed);
        if (randomSpectra.TryGetValue(key, out var cached)) return cached;

        using var generator = new Generator(unchecked((ulong)seed), CPU);
        var gaussian = randn(key.Item1, key.Item2, dtype: ScalarType.Float32, generator: generator);
        var spectrum = SingularValues.Of(gaussian.to(device), "Gaussian reference");
        randomSpectra[key] = spectrum;
        return spectrum;
    }

    private static IReadOnlyList<MatrixSpectrum> AnalyzeEach<T>(
        IReadOnlyList<T> items, Func<T, MatrixSpectrum> analyze, Action<int, int>? progress)
    {
        var results = new List<MatrixSpectrum>(items.Count);
        foreach (var item in items)
        {
            results.Add(analyze(item));
            progress?.Invoke(results.Count, items.Count);
        }
        return results;
    }

    /// <summary>LAPACK and cuSOLVER errors (e.g. on NaN input) do not say which weight they came from.</summary>
    private static MatrixSpectrum NamingFailures(string name, Func<MatrixSpectrum> analyze)
    {
        try { return analyze(); }
        catch (ExternalException e) { throw new ArithmeticException($"Weight '{name}': {e.Message}", e); }
    }

    private static void RequireMatrix(string name, Tensor weight)
    {
        if (weight.dim() != 2)
            throw new ArgumentException($"Weight '{name}' has {weight.dim()} dimensions; the spectral analysis needs a 2-D matrix.");
    }

    private sealed record BaseDecomposition((long, long) Shape, float[] Values, Tensor? LeftVectors);
}
