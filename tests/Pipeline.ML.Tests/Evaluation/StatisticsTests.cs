using Pipeline.ML.Evaluation;

namespace Pipeline.ML.Tests.Evaluation;

public class StatisticsTests
{
    [Fact]
    public void Mean_stderr_is_the_sample_deviation_over_root_n()
    {
        var metric = Statistics.Mean("t", "m", [1.0, 2.0, 3.0, 4.0]);
        Assert.Equal(2.5, metric.Value, 12);
        Assert.Equal(Math.Sqrt(5.0 / 3 / 4), metric.StdErr, 12);
    }

    [Fact]
    public void A_single_value_has_no_standard_error() => Assert.True(double.IsNaN(Statistics.Mean("t", "m", [1.0]).StdErr));
}
