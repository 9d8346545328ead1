using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts.Experiments;
using Pipeline.Workflow;
using Pipeline.Workflow.Tests.Fixtures;

namespace Pipeline.Workflow.Tests.Flow;

public sealed class When_a_request_is_submitted
{
    [Fact]
    public async Task Should_write_and_publish_nothing_when_invalid()
    {
        await using var bed = TestBed.Embedded();
        var compute = new ComputeTestDouble();
        var host = await bed.StartAsync(PipelineServices.All, compute);
        var invalid = TestRequests.Valid() with { TokenBudget = 0, Regime = "rlhf" };

        var error = await Assert.ThrowsAsync<ExperimentRequestException>(() => TestBed.SubmitAsync(host, invalid));

        Assert.Equal(["$.regime", "$.tokenBudget"], error.Errors.Select(e => e.Path).Order());
        await Task.Delay(300);
        await using var db = bed.OpenDb();
        Assert.Equal(0, await db.Experiments.CountAsync());
        Assert.Equal(0, await db.Outbox.CountAsync());
        Assert.Empty(compute.Pretrained);
    }

    [Fact]
    public async Task Should_reject_a_reused_name_with_different_content_and_accept_a_resubmission()
    {
        await using var bed = TestBed.Embedded();
        var host = await bed.StartAsync(PipelineServices.All, new ComputeTestDouble());
        var first = await TestBed.SubmitAsync(host, TestRequests.Valid("study"));

        var again = await TestBed.SubmitAsync(host, TestRequests.Valid("study"));
        var error = await Assert.ThrowsAsync<ExperimentRequestException>(() => TestBed.SubmitAsync(host, TestRequests.Valid("study", 16)));

        Assert.False(first.AlreadySubmitted);
        Assert.True(again.AlreadySubmitted);
        Assert.Equal(first.ExperimentId, again.ExperimentId);
        Assert.Equal("$.name", Assert.Single(error.Errors).Path);
        Assert.Contains("different content", error.Errors[0].Message);
        await using var db = bed.OpenDb();
        Assert.Equal(1, await db.Experiments.CountAsync());
    }
}
