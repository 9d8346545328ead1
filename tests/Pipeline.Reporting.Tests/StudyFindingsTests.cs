using Pipeline.Reporting.Findings;
using Pipeline.Reporting.Scoring;

namespace Pipeline.Reporting.Tests;

public sealed class StudyFindingsTests
{
    private static Dictionary<string, Finding> Analyze(Scenario scenario) =>
        StudyFindings.Analyze(new StudyData(scenario.Build())).ToDictionary(f => f.Id);

    [Fact]
    public void Every_finding_holds_on_a_study_that_behaves_like_the_paper()
    {
        var findings = Analyze(new Scenario());

        foreach (var id in new[] { "1", "2", "2b", "3", "4", "5", "6a", "6b", "6c", "6d", "7a", "7b", "R1" })
            Assert.True(findings[id].Verdict == Verdict.Holds, $"{id}: {findings[id].Verdict} — {findings[id].Evidence} {findings[id].Diagnosis}");
        Assert.Equal(Verdict.NotSupported, findings["7c"].Verdict);
    }

    [Fact]
    public void LoRA_suits_IFT_better_when_its_gap_to_full_FT_is_wider_in_CPT()
    {
        StudyData Study(string regime, double loraCapacity) => new(new Scenario(LoraCapacity: loraCapacity, Regime: regime).Build());
        Finding IftOverCpt(StudyData study, StudyData other) => StudyFindings.Analyze(study, other).Single(f => f.Id == "7c");

        var paperLike = IftOverCpt(Study("ift", 0.9), Study("cpt", 0.5));
        var reversed = IftOverCpt(Study("cpt", 0.9), Study("ift", 0.5));
        var sameRegime = IftOverCpt(Study("ift", 0.9), Study("ift", 0.5));

        Assert.Equal(Verdict.Holds, paperLike.Verdict);
        Assert.Equal(0.3 * 0.4, paperLike.Size!.Value, 3); // Gain × (0.9 − 0.5) of capacity at the last checkpoint
        Assert.Equal(Verdict.DoesNotHold, reversed.Verdict);
        Assert.Equal(Verdict.NotSupported, sameRegime.Verdict);
        Assert.Null(sameRegime.Size);
    }

    [Fact]
    public void Findings_fail_on_a_study_that_contradicts_the_paper()
    {
        var findings = Analyze(new Scenario(
            FullCapacity: -0.5, LoraCapacity: 1.0, AttentionFactor: 1.4, LoraForgetFactor: 2.0, RegularizedForgetFactor: 1.0,
            FullDiversity: 0.6, LoraDiversity: 0.3, MlpRank: 5, AttentionRank: 20, RankGrowthPerDoubling: -1, MiddleLayerBonus: -8,
            LoraIntruders: 0, FullIntruders: 3));

        foreach (var id in new[] { "1", "2", "2b", "3", "4", "5", "6a", "6b", "6c", "6d", "7a", "R1" })
            Assert.True(findings[id].Verdict == Verdict.DoesNotHold, $"{id}: {findings[id].Verdict} — {findings[id].Evidence}");
    }

    [Fact]
    public void Large_standard_errors_leave_the_findings_unsupported_with_a_diagnosis()
    {
        var findings = Analyze(new Scenario(StdErr: 0.3));

        foreach (var id in new[] { "1", "2", "3", "4", "5", "7a", "7b" })
        {
            Assert.True(findings[id].Verdict == Verdict.NotSupported, $"{id}: {findings[id].Verdict} {findings[id].Size}");
            Assert.Matches(@"[\d.]+·SE", findings[id].Diagnosis);
        }
        Assert.Matches(@"about \d+× the evaluation items, or about \d+ training seeds instead of 2", findings["1"].Diagnosis);
    }

    [Fact]
    public void Learns_less_averages_one_difference_per_seed_and_says_when_it_is_unpaired()
    {
        var finding = Analyze(new Scenario(FullCapacity: 1.0, LoraCapacity: 0.5, StdErr: 0.01))["1"];

        // Last checkpoint: target = 0.1 + 0.3·capacity. Both headline runs have two seeds shifted by the same ±SE/2, so
        // each seed's difference is 0.15: no seed variance. Without per-sample records each seed's difference has
        // SE √2·0.01, and the evaluation part of the mean over k = 2 seeds is √(mean SE² / k) = 0.01.
        Assert.Equal(0.3 * 0.5, finding.Size!.Value, 6);
        Assert.Equal(0.01, finding.Size.ItemStdErr!.Value, 9);
        Assert.Equal(0, finding.Size.SeedStdErr!.Value, 9);
        Assert.Equal(2, finding.Size.Seeds);
        Assert.Equal(12.706, finding.Size.Critical, 3); // Student t, 1 degree of freedom
        Assert.StartsWith("unpaired: no per-sample records", finding.Size.Design);
    }

    [Fact]
    public void Module_kinds_are_read_from_hugging_face_projection_names()
    {
        var input = new Scenario().Build(); // rank rows named q_proj … down_proj, as the rank analysis writes them

        var finding = StudyFindings.Analyze(new StudyData(input)).Single(f => f.Id == "6c");

        Assert.Equal(Verdict.Holds, finding.Verdict);
        Assert.Contains("24 matrices", finding.Evidence);
    }

    [Fact]
    public void Intruders_not_analysed_leave_that_finding_unsupported()
    {
        var input = new Scenario().Build();
        var withoutIntruders = input with
        {
            Checkpoints = input.Checkpoints.Select(c => c with { Ranks = c.Ranks.Select(r => r with { Intruders05 = null, Intruders06 = null }).ToList() }).ToList(),
        };

        var finding = StudyFindings.Analyze(new StudyData(withoutIntruders)).Single(f => f.Id == "R1");

        Assert.Equal(Verdict.NotSupported, finding.Verdict);
        Assert.Null(finding.Size);
        Assert.Contains("rank analysis", finding.Diagnosis);
    }
}
