namespace Pipeline.ML.Spectral;

/// <summary>Means of a variance rank over the matrices of one module type.</summary>
public sealed record MeanVarianceRank(double Threshold, double Delta, double Base, double Random);

/// <summary>
/// One module type (q, k, v, o, gate, up, down) across layers: mean ranks and norms, and intruder totals (null when
/// any of its matrices was analysed without intruders).
/// </summary>
public sealed record ModuleSummary(
    string Module,
    int Matrices,
    IReadOnlyList<MeanVarianceRank> Ranks,
    double StableRank,
    double EffectiveRank,
    double RelativeNorm,
    IReadOnlyList<IntruderCount>? Intruders)
{
    public static IReadOnlyList<ModuleSummary> Of(IEnumerable<MatrixSpectrum> spectra) =>
        spectra.GroupBy(s => s.Module)
            .OrderBy(g => ProjectionName.IndexOfModule(g.Key))
            .Select(g => Summarize(g.Key, g.ToList()))
            .ToList();

    private static ModuleSummary Summarize(string module, IReadOnlyList<MatrixSpectrum> spectra)
    {
        var ranks = spectra[0].Ranks.Select(r => r.Threshold).Select(t => new MeanVarianceRank(
            t,
            spectra.Average(s => s.RankAt(t).Delta),
            spectra.Average(s => s.RankAt(t).Base),
            spectra.Average(s => s.RankAt(t).Random))).ToList();
        var intruders = spectra.All(s => s.Intruders is not null)
            ? spectra[0].Intruders!.Select(i => new IntruderCount(i.Epsilon, spectra.Sum(s => s.IntrudersAt(i.Epsilon) ?? 0))).ToList()
            : null;
        return new ModuleSummary(
            module, spectra.Count, ranks,
            spectra.Average(s => s.StableRank), spectra.Average(s => s.EffectiveRank), spectra.Average(s => s.RelativeNorm),
            intruders);
    }
}
