using Pipeline.Reporting.Scoring;
using ScottPlot;

namespace Pipeline.Reporting.Figures;

/// <summary>Shared drawing helpers so every figure looks alike.</summary>
internal static class Chart
{
    public const int Width = 900;
    public const int Height = 560;

    private static readonly IPalette Palette = new ScottPlot.Palettes.Category10();

    public static Color ColorOf(int index) => Palette.GetColor(index);

    public static Plot New(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        return plot;
    }

    /// <summary>
    /// ScottPlot has no log axis: data is plotted as log10(x), and the ticks sit at the x values measured (token counts
    /// double, learning rates sweep), labelled back in x.
    /// </summary>
    public static void LogX(Plot plot, IEnumerable<double> measured, Func<double, string> format)
    {
        var values = measured.Where(x => x > 0).Distinct().Order().ToList();
        var step = Math.Max(1, (int)Math.Ceiling(values.Count / 10.0));
        var ticks = values.Where((_, i) => i % step == 0).ToList();
        plot.Axes.Bottom.SetTicks(ticks.Select(Math.Log10).ToArray(), ticks.Select(format).ToArray());
    }

    /// <summary>A line with markers and, where standard errors are known, ±1 SE error bars.</summary>
    public static void Series(Plot plot, IReadOnlyList<double> xs, IReadOnlyList<Estimate> ys, string label, Color color)
    {
        var line = plot.Add.Scatter(xs.ToArray(), ys.Select(y => y.Value).ToArray(), color);
        line.LegendText = label;
        line.MarkerSize = 6;
        if (ys.All(y => y.StdErr is null)) return;
        var bars = plot.Add.ErrorBar(xs.ToArray(), ys.Select(y => y.Value).ToArray(), ys.Select(y => y.StdErr ?? 0).ToArray());
        bars.Color = color;
    }

    public static void BaseLine(Plot plot, Estimate? baseScore)
    {
        if (baseScore is not { } b) return;
        var line = plot.Add.HorizontalLine(b.Value, 1.5f, Colors.Black, LinePattern.Dashed);
        line.LegendText = "base model";
    }

    /// <summary>Bars in groups: one group per category on the x axis, one colour per series.</summary>
    public static void GroupedBars(Plot plot, IReadOnlyList<string> categories, IReadOnlyList<(string Series, IReadOnlyList<Estimate?> Values)> series)
    {
        var width = 0.8 / series.Count;
        for (var s = 0; s < series.Count; s++)
        {
            var bars = new List<Bar>();
            for (var c = 0; c < categories.Count; c++)
            {
                if (series[s].Values[c] is not { } v) continue;
                bars.Add(new Bar
                {
                    Position = c + (s - (series.Count - 1) / 2.0) * width,
                    Value = v.Value,
                    Error = v.StdErr ?? 0,
                    Size = width * 0.9,
                    FillColor = ColorOf(s),
                });
            }
            var plottable = plot.Add.Bars(bars);
            plottable.LegendText = series[s].Series;
        }
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, categories.Count).Select(i => (double)i).ToArray(), categories.ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = -30;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        // ScottPlot sizes the axis for unrotated labels; leave room for the longest rotated one.
        plot.Axes.Bottom.MinimumSize = 20 + 4 * categories.Max(c => c.Length);
        plot.Axes.Margins(bottom: 0);
    }

    /// <summary>Writes NAME.png and NAME.svg, each through a temporary file so a reader never sees half a figure.</summary>
    public static void Save(Plot plot, string directory, string stem)
    {
        if (plot.GetPlottables().Any(p => p.LegendItems.Any(i => !string.IsNullOrEmpty(i.LabelText))))
            plot.ShowLegend(Edge.Right);
        WriteAtomically(Path.Combine(directory, stem + ".png"), tmp => plot.SavePng(tmp, Width, Height));
        WriteAtomically(Path.Combine(directory, stem + ".svg"), tmp => plot.SaveSvg(tmp, Width, Height));
    }

    internal static void WriteAtomically(string path, Action<string> write)
    {
        var tmp = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileNameWithoutExtension(path)}.{Guid.NewGuid():N}{Path.GetExtension(path)}");
        try
        {
            write(tmp);
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }
}
