using Pipeline.Reporting.Scoring;
using ScottPlot;

namespace Pipeline.Reporting.Figures;

/// <summary>One figure of the report: how to draw it, or why it cannot be drawn (<see cref="Build"/> returns null).</summary>
internal sealed record Figure(string Stem, string Title, string Caption, string WhenMissing, Func<StudyData, Plot?> Build)
{
    public static IReadOnlyList<Figure> All { get; } =
    [
        CurveFigures.Learning, CurveFigures.Forgetting, CurveFigures.Tradeoff, PairedFigures.Source,
        RankFigures.RankOverTokens, RankFigures.Heatmap,
        CurveFigures.Regularization, MethodFigures.LearningRate, MethodFigures.Diversity, MethodFigures.Intruders,
    ];
}
