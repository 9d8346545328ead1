using System.Xml.Linq;
using Pipeline.Contracts.Reports;
using Pipeline.Reporting.Figures;

namespace Pipeline.Reporting.Tests;

public sealed class StudyReportTests : IDisposable
{
    private readonly string _out = Directory.CreateTempSubdirectory("report-").FullName;

    public void Dispose() => Directory.Delete(_out, recursive: true);

    [Fact]
    public void Writes_every_figure_as_a_valid_png_and_svg()
    {
        StudyReport.Write(new Scenario().Build(), _out);

        Assert.Equal(10, Figure.All.Count);
        var report = File.ReadAllText(Path.Combine(_out, "report.md"));
        foreach (var figure in Figure.All.Where(f => f != PairedFigures.Source))
        {
            AssertValidFigure(figure.Stem);
            Assert.Contains($"]({figure.Stem}.png)", report);
        }
        Assert.Single(report.Split("*Not drawn:*").Skip(1)); // the scenario has no per-sample records to pair
        Assert.Empty(Directory.GetFiles(_out, ".*"));
    }

    [Fact]
    public void Draws_the_paired_figure_from_per_sample_records()
    {
        StudyReport.Write(new PairedStudy().Build(), _out);

        AssertValidFigure(PairedFigures.Source.Stem);
        Assert.Contains($"]({PairedFigures.Source.Stem}.png)", File.ReadAllText(Path.Combine(_out, "report.md")));
    }

    private void AssertValidFigure(string stem)
    {
        var png = File.ReadAllBytes(Path.Combine(_out, stem + ".png"));
        Assert.True(png.Length > 5_000, $"{stem}.png has {png.Length} bytes");
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        var svg = XDocument.Load(Path.Combine(_out, stem + ".svg"));
        Assert.Equal("svg", svg.Root!.Name.LocalName);
        Assert.True(svg.Root.Descendants().Count() > 20, $"{stem}.svg is nearly empty");
    }

    [Fact]
    public void Names_the_chosen_metrics_in_the_report()
    {
        StudyReport.Write(new Scenario().Build(), _out);

        var report = File.ReadAllText(Path.Combine(_out, "report.md"));
        Assert.Contains("exact_match,strict-match (gsm8k-mini)", report);
        Assert.Contains("acc_norm (arc-mini, hellaswag-mini)", report);
        Assert.Contains("| 1 | LoRA learns less than full finetuning | **holds** |", report);
    }

    [Fact]
    public void Skips_figures_without_data_and_says_why()
    {
        var full = new Scenario().Build();
        var loraOnly = full with
        {
            Runs = full.Runs.Where(r => r.Method is "base" or "lora").ToList(),
            Checkpoints = full.Checkpoints.Where(c => c.RunKey == "base" || c.RunKey.StartsWith("lora", StringComparison.Ordinal))
                .Select(c => c with { Ranks = [] }).ToList(),
        };

        var findings = StudyReport.Write(loraOnly, _out);

        var report = File.ReadAllText(Path.Combine(_out, "report.md"));
        Assert.Contains("*Not drawn:* No full-finetuning checkpoint has a rank analysis.", report);
        Assert.False(File.Exists(Path.Combine(_out, "delta_w_rank.png")));
        Assert.False(File.Exists(Path.Combine(_out, "regularization.svg")));
        Assert.True(File.Exists(Path.Combine(_out, "learning_curve.png")));
        Assert.All(findings.Where(f => f.Id is "1" or "2" or "6a"), f => Assert.NotNull(f.Diagnosis));
    }

    [Fact]
    public void Rejects_a_checkpoint_of_an_unknown_run()
    {
        var input = new Scenario().Build();
        var bad = input with { Checkpoints = [.. input.Checkpoints, new ReportCheckpoint("ghost", 5, [], [])] };

        var error = Assert.Throws<ArgumentException>(() => StudyReport.Write(bad, _out));
        Assert.Contains("'ghost'", error.Message);
        Assert.False(File.Exists(Path.Combine(_out, "report.md")));
    }

    [Fact]
    public void Writes_a_report_for_a_study_with_no_results_yet()
    {
        var empty = new ReportInput("empty", "cpt", [new("r1", "lora", 4, "all", 1e-4, 0, 0, 0, "failed")], [], [4], 64);

        var findings = StudyReport.Write(empty, _out);

        Assert.All(findings, f => Assert.Equal(Findings.Verdict.NotSupported, f.Verdict));
        Assert.Equal(["report.md"], Directory.GetFiles(_out).Select(Path.GetFileName));
        var report = File.ReadAllText(Path.Combine(_out, "report.md"));
        Assert.Equal(Figure.All.Count, report.Split("*Not drawn:*").Length - 1);
        Assert.Contains("1 finetuning runs (1 not completed)", report);
    }

    [Fact]
    public void Rejects_duplicate_run_keys()
    {
        var input = new Scenario().Build();
        var bad = input with { Runs = [.. input.Runs, input.Runs[1]] };

        var error = Assert.Throws<ArgumentException>(() => StudyReport.Write(bad, _out));
        Assert.Contains($"'{input.Runs[1].RunKey}' appears 2 times", error.Message);
    }
}
