using Pipeline.Contracts.Reports;
using Pipeline.Reporting.Findings;
using Pipeline.Reporting.Scoring;

namespace Pipeline.Reporting.Tests;

public sealed class PairedStatisticsTests
{
    private static Dictionary<string, Finding> Analyze(ReportInput input) =>
        StudyFindings.Analyze(new StudyData(input)).ToDictionary(f => f.Id);

    private static ReportCheckpoint Final(ReportInput input, string run) => input.Checkpoints.Single(c => c.RunKey == run && c.Tokens == 100_000);

    private static double[] PerDocument(ReportCheckpoint c, string task, string field) =>
        [.. c.Samples.Where(s => s.Task == task).OrderBy(s => s.DocId).Select(s => s.Values[field])];

    [Fact]
    public void A_small_consistent_difference_under_a_large_spread_is_decided_by_pairing()
    {
        var input = new PairedStudy().Build();

        var finding = Analyze(input)["2"];

        // By hand: the per-document differences in bits/byte, pooled by bytes (the ratio estimator), with the delta-method SE.
        var (full, lora) = (Final(input, "full-s0"), Final(input, "lora-s0"));
        var bytes = PerDocument(full, PairedStudy.Source, "bytes");
        double[] Bits(ReportCheckpoint c) => [.. PerDocument(c, PairedStudy.Source, "loglikelihood").Select((ll, i) => -ll / Math.Log(2) / bytes[i])];
        var difference = Bits(full).Zip(Bits(lora), (f, l) => f - l).ToArray();
        var (expected, expectedSe) = PairedStudy.PooledBitsPerByte(bytes, difference);
        Assert.Equal(expected, finding.Size!.Value, 9);
        Assert.Equal(expectedSe, finding.Size.ItemStdErr!.Value, 9);
        Assert.Equal(Verdict.Holds, finding.Verdict);
        Assert.StartsWith("paired over 40 items", finding.Size.Design);
        Assert.Equal(40, finding.Size.ItemSigns!.Value.AgreeingWith(finding.Size.Value));
        Assert.Contains(Effect.OneSeed, finding.Size.PartsText);

        // The same gap with the two checkpoints' errors in quadrature is lost in the spread between documents.
        var unpairedSe = Math.Sqrt(Math.Pow(full.Metrics[0].StdErr!.Value, 2) + Math.Pow(lora.Metrics[0].StdErr!.Value, 2));
        Assert.True(finding.Size.Value < 2 * unpairedSe, $"gap {finding.Size.Value} vs unpaired 2·SE {2 * unpairedSe}");
        Assert.True(expectedSe < unpairedSe / 10);
    }

    [Fact]
    public void Seeds_that_disagree_in_sign_leave_the_finding_unsupported_however_many_items()
    {
        var input = new PairedStudy(LoraAdvantage: 0.02, SeedShifts: [0.04, -0.07, 0.05]).Build();

        var finding = Analyze(input)["2"];

        var perSeed = new[] { 0.06, -0.05, 0.07 }; // advantage + shift at the last checkpoint
        var mean = perSeed.Average();
        Assert.Equal(mean, finding.Size!.Value, 1e-3);
        var betweenSeeds = perSeed.Sum(d => (d - mean) * (d - mean)) / 2;
        Assert.Equal(Math.Sqrt(betweenSeeds / 3), finding.Size.SeedStdErr!.Value, 1e-9);
        Assert.True(finding.Size.ItemStdErr < finding.Size.SeedStdErr / 20);
        Assert.Equal(Math.Sqrt(Math.Pow(finding.Size.ItemStdErr!.Value, 2) + Math.Pow(finding.Size.SeedStdErr.Value, 2)), finding.Size.StdErr!.Value, 12);
        Assert.Equal(4.303, finding.Size.Critical, 3); // Student t, 2 degrees of freedom
        Assert.Equal(Verdict.NotSupported, finding.Verdict);
        Assert.Equal(2, finding.Size.SeedSigns!.Value.AgreeingWith(finding.Size.Value));
        Assert.Contains("More evaluation items cannot resolve it", finding.Diagnosis);
        Assert.Matches(@"about \d+ training seeds instead of 3", finding.Diagnosis);
    }

    [Fact]
    public void Each_seed_alone_is_decided_by_its_paired_items()
    {
        var input = new PairedStudy(LoraAdvantage: 0.02, SeedShifts: [0.04, -0.07, 0.05]).Build();
        var data = new StudyData(input);
        var source = data.Source!;

        var seed1 = Comparison.Difference(source, Final(input, "lora-s1"), Final(input, "full-s1"))!;

        Assert.Equal(-0.05, seed1.Value, 1e-3);
        Assert.True(Math.Abs(seed1.Value) > 20 * seed1.StdErr!.Value);
    }

    [Fact]
    public void A_model_trained_once_against_several_seeds_says_its_own_training_noise_is_not_measured()
    {
        var input = new PairedStudy(LoraAdvantage: 0.02, SeedShifts: [0.04, -0.07, 0.05]).Build();
        var source = new StudyData(input).Source!;
        ReportCheckpoint[] fullSeeds = [Final(input, "full-s0"), Final(input, "full-s1"), Final(input, "full-s2")];
        int SeedOf(ReportCheckpoint c) => c.RunKey[^1] - '0';

        var loraOnce = Comparison.Difference(source, [Final(input, "lora-s0")], fullSeeds, SeedOf)!;
        var againstBase = Comparison.Difference(source, [Final(input, "lora-s0") with { IsBase = true }], fullSeeds, SeedOf)!;
        var seedBySeed = Comparison.Difference(source, [Final(input, "lora-s0"), Final(input, "lora-s1")], fullSeeds[..2], SeedOf)!;

        Assert.Equal(3, loraOnce.Seeds);
        Assert.EndsWith(Effect.OneSideTrainedOnce, loraOnce.DesignText);
        Assert.Null(againstBase.SeedCaveat);
        Assert.Null(seedBySeed.SeedCaveat);
    }

    [Fact]
    public void Seeds_pair_by_seed_a_single_checkpoint_pairs_with_every_seed_and_disjoint_seeds_pair_in_order()
    {
        ReportCheckpoint At(string run) => new(run, 100, [], []);
        var seeds = new Dictionary<string, int> { ["a1"] = 1, ["a2"] = 2, ["b2"] = 2, ["b3"] = 3, ["c7"] = 7, ["c8"] = 8, ["base"] = 0 };
        string Pairs(IReadOnlyList<ReportCheckpoint> a, IReadOnlyList<ReportCheckpoint> b) =>
            string.Join(" ", Comparison.SeedPairs(a, b, c => seeds[c.RunKey]).Select(p => $"{p.A.RunKey}-{p.B.RunKey}"));

        Assert.Equal("a2-b2", Pairs([At("a1"), At("a2")], [At("b2"), At("b3")]));
        Assert.Equal("a1-base a2-base", Pairs([At("a1"), At("a2")], [At("base")]));
        Assert.Equal("a1-c7 a2-c8", Pairs([At("a2"), At("a1")], [At("c8"), At("c7")]));
    }

    [Fact]
    public void Items_from_one_source_document_are_clustered()
    {
        // Clusters A {1, 0, 1}, B {0, 0}, C {1}; mean 0.5, ψ = (v − 0.5)/6; cluster sums 0.5/6, −1/6, 0.5/6;
        // Var = G/(G−1)·Σ sums² = 1.5 · 1.5/36 = 0.0625.
        var items = new (string Cluster, double Value)[] { ("A", 1), ("A", 0), ("A", 1), ("B", 0), ("B", 0), ("C", 1) };
        var samples = items.Select((item, i) => new ReportSample("mc", "source", i, item.Cluster, new Dictionary<string, double> { ["acc"] = item.Value })).ToList();
        var checkpoint = new ReportCheckpoint("run", 0, [], [], samples);
        var metric = new MetricChoice("source", "acc", ["mc"], Negated: false);

        var clustered = metric.ScoreItems(checkpoint)!;
        var unclustered = metric.ScoreItems(checkpoint with { Samples = [.. samples.Select(s => s with { SourceId = null })] })!;

        Assert.Equal(0.5, clustered.Value, 12);
        Assert.Equal(0.25, clustered.StdErr!.Value, 12);
        Assert.Equal(3, clustered.ClusterCount);
        Assert.Equal(Math.Sqrt(6 * 0.25 / 5 / 6), unclustered.StdErr!.Value, 12); // sample sd / √n, the harness's mean_stderr
    }

    [Fact]
    public void A_paired_accuracy_difference_has_McNemars_standard_error()
    {
        // 20 items: A right and B wrong on 6, the reverse on 2, the same on 12.
        int[] a = [.. Enumerable.Repeat(1, 6), .. Enumerable.Repeat(0, 2), .. Enumerable.Repeat(1, 5), .. Enumerable.Repeat(0, 7)];
        int[] b = [.. Enumerable.Repeat(0, 6), .. Enumerable.Repeat(1, 2), .. Enumerable.Repeat(1, 5), .. Enumerable.Repeat(0, 7)];
        ItemScore Score(int[] correct) => ItemScore.Mean([.. correct.Select((c, i) => (new ItemKey("mc", i), $"#{i}", (double)c))]);

        var difference = Score(a).Minus(Score(b));

        const int n = 20, n10 = 6, n01 = 2;
        Assert.Equal((n10 - n01) / (double)n, difference.Value, 12);
        Assert.Equal(Math.Sqrt((n10 + n01 - Math.Pow(n10 - n01, 2) / n) / (n * (n - 1.0))), difference.StdErr!.Value, 12);
        Assert.Equal(new SignCounts(6, 2, 12), difference.Signs);
    }

    [Fact]
    public void Checkpoints_without_records_fall_back_to_unpaired_errors_and_the_report_says_so()
    {
        var input = new PairedStudy().Build();
        var withoutRecords = input with
        {
            Checkpoints = [.. input.Checkpoints.Select(c => c.RunKey == "lora-s0" ? c with { Samples = [] } : c)],
        };

        var findings = StudyFindings.Analyze(new StudyData(withoutRecords));
        var forgets = findings.Single(f => f.Id == "2");

        Assert.Equal("unpaired: no per-sample records", forgets.Size!.Design);
        Assert.Equal(Verdict.NotSupported, forgets.Verdict);
        Assert.Contains("2 (no per-sample records)", StudyReport.FindingsMarkdown(findings));
    }

    [Fact]
    public void The_forgetting_slope_propagates_the_paired_errors_of_its_points()
    {
        var input = new PairedStudy(LoraAdvantage: 0.0, Noise: 0).Build();

        var finding = Analyze(input)["3"];

        // Without noise both methods forget exactly along their lines: full 0.3/1.2, LoRA 0.3/0.8 per unit of learning.
        Assert.Equal(0.3 / 0.8 - 0.3 / 1.2, finding.Size!.Value, 6);
        Assert.StartsWith("paired by item over 80 items", finding.Size.Design);
        Assert.True(finding.Size.ItemStdErr < 1e-6, $"item SE {finding.Size.ItemStdErr}");
        Assert.Equal(Verdict.DoesNotHold, finding.Verdict);
    }
}
