using Pipeline.Contracts.Reports;
using Pipeline.Reporting.Figures;
using Pipeline.Reporting.Scoring;

namespace Pipeline.Reporting.Tests;

public sealed class ScoringTests
{
    [Fact]
    public void Differences_combine_standard_errors_in_quadrature()
    {
        var d = new Estimate(0.5, 0.03) - new Estimate(0.2, 0.04);

        Assert.Equal(0.3, d.Value, 12);
        Assert.Equal(0.05, d.StdErr!.Value, 12);
        Assert.Null((new Estimate(1, null) - new Estimate(0, 0.1)).StdErr);
    }

    [Fact]
    public void Repeats_use_the_seed_spread_unless_the_evaluation_error_is_larger()
    {
        var spread = Estimate.MeanOfRepeats([new(0.4, 0.001), new(0.6, 0.001)]);
        var tight = Estimate.MeanOfRepeats([new(0.5, 0.1), new(0.5, 0.1)]);

        Assert.Equal(0.5, spread.Value, 12);
        Assert.Equal(0.1, spread.StdErr!.Value, 12); // sd 0.1414 / √2
        Assert.Equal(0.1 / Math.Sqrt(2), tight.StdErr!.Value, 12);
    }

    [Fact]
    public void Target_prefers_strict_exact_match_and_falls_back_to_negated_bits_per_byte()
    {
        var checkpoint = new Scenario().Build().Checkpoints[^1];
        var withoutGeneration = checkpoint with { Metrics = checkpoint.Metrics.Where(m => !m.Metric.StartsWith("exact_match", StringComparison.Ordinal)).ToList() };

        var exact = MetricChoice.Choose([checkpoint], "target", MetricChoice.TargetPreference)!;
        var bpb = MetricChoice.Choose([withoutGeneration], "target", MetricChoice.TargetPreference)!;

        Assert.Equal("exact_match,strict-match", exact.Metric);
        Assert.Equal("bits_per_byte", bpb.Metric);
        Assert.True(bpb.Negated);
        var bitsPerByte = withoutGeneration.Metrics.Single(m => m.Metric == "bits_per_byte" && m.Domain == "target").Value;
        Assert.Equal(-bitsPerByte, bpb.Score(withoutGeneration)!.Value.Value, 12);
    }

    [Fact]
    public void A_metric_at_zero_on_every_checkpoint_is_passed_over()
    {
        ReportCheckpoint At(long tokens, double bitsPerByte) => new("r", tokens,
            [new("functions", "target", "exact_match,first-line", 0, 0), new("python", "target", "bits_per_byte", bitsPerByte, 0.1)], []);

        var choice = MetricChoice.Choose([At(1, 3.0), At(2, 2.5)], "target", MetricChoice.TargetPreference)!;

        Assert.Equal("bits_per_byte", choice.Metric);
    }

    [Fact]
    public void A_source_metric_that_never_moves_from_the_base_is_passed_over_for_one_that_does()
    {
        ReportCheckpoint At(long tokens, double accNorm, double bitsPerByte) => new("r", tokens,
            [new("choice", "source", "acc_norm", accNorm, 0.03), new("prose", "source", "bits_per_byte", bitsPerByte, 0.03)], []) { IsBase = tokens == 0 };

        var insensitive = MetricChoice.Choose([At(0, 0.34, 1.78), At(1, 0.35, 2.05), At(2, 0.33, 2.07)], "source", MetricChoice.SourcePreference)!;
        var sensitive = MetricChoice.Choose([At(0, 0.34, 1.78), At(1, 0.22, 2.05)], "source", MetricChoice.SourcePreference)!;
        var nothingMoves = MetricChoice.Choose([At(0, 0.34, 1.78), At(1, 0.35, 1.79)], "source", MetricChoice.SourcePreference)!;

        Assert.Equal("bits_per_byte", insensitive.Metric);
        Assert.Equal("acc_norm", sensitive.Metric);
        Assert.Equal("acc_norm", nothingMoves.Metric); // then the preference order alone decides
    }

    [Fact]
    public void Source_score_is_the_unweighted_mean_over_its_tasks()
    {
        var checkpoint = new ReportCheckpoint("r", 1,
        [
            new("hellaswag", "source", "acc_norm", 0.6, 0.03),
            new("arc", "source", "acc_norm", 0.4, 0.04),
            new("arc", "source", "acc", 0.9, 0.01),
        ], []);

        var choice = MetricChoice.Choose([checkpoint], "source", MetricChoice.SourcePreference)!;
        var score = choice.Score(checkpoint)!.Value;

        Assert.Equal(["arc", "hellaswag"], choice.Tasks);
        Assert.Equal(0.5, score.Value, 12);
        Assert.Equal(0.025, score.StdErr!.Value, 12);
        Assert.Null(choice.Score(checkpoint with { Metrics = checkpoint.Metrics.Skip(1).ToList() }));
    }

    [Fact]
    public void Pareto_front_keeps_only_undominated_points_in_learning_order()
    {
        var front = CurveFigures.ParetoFront([(0.1, 0.7), (0.2, 0.6), (0.15, 0.5), (0.3, 0.4), (0.25, 0.3)]);

        Assert.Equal([(0.1, 0.7), (0.2, 0.6), (0.3, 0.4)], front);
    }
}
