using System.Collections.Concurrent;
using Pipeline.Contracts;
using Pipeline.Contracts.Stages;
using Pipeline.Data.Artifacts;
using Pipeline.ML.Spectral;
using static TorchSharp.torch;

namespace Pipeline.Compute.RankAnalysis;

/// <summary>
/// The spectrum of ΔW for every targeted projection of a checkpoint. One analyzer per base model keeps the base
/// decompositions and the random-matrix references across all checkpoints that share it.
/// </summary>
public sealed class RankAnalysisStage(ArtifactStore store, ComputeSettings settings, Device device, ComputeGate gate) : IRankAnalysisStage, IDisposable
{
    private readonly ConcurrentDictionary<string, SpectralAnalyzer> analyzers = new();

    public Task<IReadOnlyList<RankResult>> AnalyseAsync(CheckpointSaved saved, CancellationToken ct) =>
        gate.RunAsync(() => Analyse(saved), ct);

    private IReadOnlyList<RankResult> Analyse(CheckpointSaved saved)
    {
        var baseDirectory = ArtifactRefs.Resolve(store, saved.Run.BaseModel.Artifact);
        var options = new SpectralOptions([0.9], Intruders: settings.IntruderDimensions);
        var analyzer = analyzers.GetOrAdd(baseDirectory, _ => new SpectralAnalyzer());
        lock (analyzer)
        {
            var spectra = saved.Checkpoint.Adapter is { } adapter
                ? CheckpointSpectra.OfAdapter(analyzer, baseDirectory, ArtifactRefs.Resolve(store, adapter), options, device)
                : CheckpointSpectra.OfModel(analyzer, baseDirectory, ArtifactRefs.Resolve(store, saved.Checkpoint.Model), options, device);
            return [.. spectra.Select(ToResult)];
        }
    }

    private static RankResult ToResult(MatrixSpectrum s) => new(
        s.Layer, s.Module, s.Rows, s.Cols, s.RankAt(0.9).Delta, s.RankAt(0.9).Random, s.StableRank,
        s.IntrudersAt(0.5) ?? 0, [.. s.Spectrum.Select(v => (double)v)]);

    public void Dispose()
    {
        foreach (var analyzer in analyzers.Values) analyzer.Dispose();
    }
}
