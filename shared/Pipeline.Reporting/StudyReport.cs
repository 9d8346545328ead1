using System.Globalization;
using System.Text;
using Pipeline.Contracts.Reports;
using Pipeline.Reporting.Figures;
using Pipeline.Reporting.Findings;
using Pipeline.Reporting.Scoring;
using Serilog;

namespace Pipeline.Reporting;

/// <summary>Writes report.md, its figures (PNG and SVG) and the findings table for one study.</summary>
public static class StudyReport
{
    /// <summary>Writes the report into <paramref name="outDirectory"/> (created if absent) and returns the findings it states.</summary>
    /// <param name="otherRegime">A study of the other regime (CPT or IFT), to compare finding 1 across the two.</param>
    public static IReadOnlyList<Finding> Write(ReportInput input, string outDirectory, ReportInput? otherRegime = null)
    {
        Directory.CreateDirectory(outDirectory);
        var data = new StudyData(input);
        var findings = StudyFindings.Analyze(data, otherRegime is null ? null : new StudyData(otherRegime));
        var drawn = new List<(Figure Figure, bool Drawn)>();
        foreach (var figure in Figure.All)
        {
            var plot = figure.Build(data);
            if (plot is not null) Chart.Save(plot, outDirectory, figure.Stem);
            Log.Information("Report {Experiment}: figure {Figure} {Outcome}", input.ExperimentName, figure.Stem, plot is null ? "skipped" : "written");
            drawn.Add((figure, plot is not null));
        }
        Chart.WriteAtomically(Path.Combine(outDirectory, "report.md"), path => File.WriteAllText(path, Markdown(data, findings, drawn)));
        return findings;
    }

    internal static string Markdown(StudyData data, IReadOnlyList<Finding> findings, IReadOnlyList<(Figure Figure, bool Drawn)> figures)
    {
        var input = data.Input;
        var md = new StringBuilder();
        var finetuned = input.Runs.Where(r => !r.Method.Equals("base", StringComparison.OrdinalIgnoreCase)).ToList();
        var unfinished = finetuned.Count(r => !r.Status.Equals("completed", StringComparison.OrdinalIgnoreCase));
        md.AppendLine($"# Study report: {input.ExperimentName}").AppendLine();
        md.AppendLine($"Regime **{input.Regime}**; {finetuned.Count} finetuning runs ({unfinished} not completed), {input.Checkpoints.Count} checkpoints; "
            + $"hidden size d = {input.HiddenSize}; LoRA ranks of interest {string.Join(", ", input.LoraRanksOfInterest)}.").AppendLine();

        md.AppendLine("## How the numbers are chosen").AppendLine();
        md.AppendLine($"- **Learning** (target domain): {data.Target?.Label ?? "no target metric reported"}. Rule: the first of "
            + $"{string.Join(" > ", MetricChoice.TargetPreference)} that a target task reports and that moves from the base model by more than 2 SE at some checkpoint.");
        md.AppendLine($"- **Forgetting** (source domain): {data.Source?.Label ?? "no source metric reported"}. Rule: the first of "
            + $"{string.Join(" > ", MetricChoice.SourcePreference)} that a source task reports and that moves from the base model by more than 2 SE at some checkpoint "
            + "(a benchmark the model is at chance on cannot show forgetting).");
        md.AppendLine("- A domain's score is the unweighted mean of that metric over every task of the domain that reports it; "
            + "`bits_per_byte` is negated so that higher is always better. Within `exact_match` the `strict-match` filter is preferred.");
        md.AppendLine("- Each configuration (method, rank, modules, weight decay, dropout) is shown at the learning rate with the best final "
            + "target score; curves average its seeds.");
        md.AppendLine("- **Two models are compared on the same items, paired** (Miller 2024): the difference is taken item by item from "
            + "the per-sample records, so the spread between items that both models share cancels. bits/byte differences are the ratio "
            + "estimator of the per-document differences with its delta-method SE; acc and exact match the mean per-item difference "
            + "(McNemar's SE); items drawn from one source document are clustered (cluster-robust SE). Checkpoints without records "
            + "fall back to unpaired errors in quadrature, and the table says so.");
        md.AppendLine("- **Training seeds**: one paired difference per seed; the effect is their mean, SE² = (evaluation variance)/k + "
            + "(between-seed variance)/k, judged with Student t at k − 1 degrees of freedom. With one seed training noise is not measured.");
        md.AppendLine("- A finding **holds** or **does not hold** when |effect| exceeds the critical multiple of its SE (t at 97.5%, or 2 with one "
            + "seed); otherwise it is **not supported**, and the diagnosis gives the smallest effect the design detects with 80% power "
            + "and how many more items or seeds would resolve it.").AppendLine();

        md.AppendLine("## Findings").AppendLine();
        md.Append(FindingsMarkdown(findings));

        md.AppendLine("## Figures").AppendLine();
        for (var i = 0; i < figures.Count; i++)
        {
            var (figure, drawn) = figures[i];
            md.AppendLine($"### {i + 1}. {figure.Title}").AppendLine();
            md.AppendLine(drawn
                ? $"![{figure.Title}]({figure.Stem}.png)\n\n{figure.Caption} ([SVG]({figure.Stem}.svg))"
                : $"*Not drawn:* {figure.WhenMissing}");
            md.AppendLine();
        }

        md.AppendLine("## Runs").AppendLine();
        md.AppendLine("| run | method | rank | modules | lr | weight decay | dropout | seed | status | checkpoints |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in input.Runs.OrderBy(r => r.RunKey, StringComparer.Ordinal))
        {
            var tokens = input.Checkpoints.Where(c => c.RunKey == r.RunKey).Select(c => c.Tokens).Order().Select(t => Units.Tokens(t));
            md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {Cell(r.RunKey)} | {r.Method} | {r.Rank?.ToString() ?? "—"} | {Cell(r.TargetModules)} | {r.LearningRate:g3} | {r.WeightDecay:g3} | {r.Dropout:g3} | {r.Seed} | {Cell(r.Status)} | {string.Join(", ", tokens)} |"));
        }
        return md.ToString();
    }

    /// <summary>The findings table and its diagnoses, without a heading, for embedding in another document (the README).</summary>
    public static string FindingsMarkdown(IReadOnlyList<Finding> findings)
    {
        var md = new StringBuilder();
        md.AppendLine("| # | Finding | Verdict | Effect | Size ± SE | SE parts | Data | Same sign | Evidence |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var f in findings)
            md.AppendLine($"| {f.Id} | {Cell(f.Claim)} | {VerdictText(f.Verdict)} | {Cell(f.Effect)} | {Cell(f.Size?.ToString() ?? "—")} | "
                + $"{Cell(f.Size?.PartsText ?? "—")} | {Cell(f.Size?.DesignText ?? "—")} | {Cell(f.Size?.SignsText ?? "—")} | {Cell(f.Evidence)} |");
        md.AppendLine();
        var unpaired = findings.Where(f => f.Size?.Design.StartsWith("unpaired", StringComparison.Ordinal) == true).ToList();
        if (unpaired.Count > 0)
            md.AppendLine("**Unpaired comparisons** (errors in quadrature): "
                + string.Join("; ", unpaired.Select(f => $"{f.Id} ({f.Size!.Design["unpaired: ".Length..]})")) + ".").AppendLine();
        var diagnosed = findings.Where(f => f.Diagnosis is not null).ToList();
        if (diagnosed.Count == 0) return md.ToString();
        md.AppendLine("**Diagnosis**").AppendLine();
        foreach (var f in diagnosed) md.AppendLine($"- **{f.Id}** ({f.Claim}): {f.Diagnosis}");
        return md.AppendLine().ToString();
    }

    private static string VerdictText(Verdict v) => v switch
    {
        Verdict.Holds => "**holds**",
        Verdict.DoesNotHold => "**does not hold**",
        _ => "not supported",
    };

    private static string Cell(string text) => text.Replace("|", "\\|").Replace("\n", " ");
}
