using MassTransit;
using Pipeline.Contracts;
using Pipeline.Persistence.Rows;

namespace Pipeline.Workflow.Orchestration;

/// <summary>
/// A message that failed all its retries lands in its endpoint's _error queue, and MassTransit publishes Fault&lt;T&gt;.
/// This records the reason and marks the run failed, so `pipeline status` shows it and `pipeline retry` can requeue it.
/// </summary>
public abstract class FaultConsumer<T>(RunFailures failures, string stage) : IConsumer<Fault<T>> where T : class, IExperimentMessage
{
    public Task Consume(ConsumeContext<Fault<T>> context)
    {
        var fault = context.Message;
        var reason = string.Join("; ", fault.Exceptions.Select(e => $"{e.ExceptionType}: {e.Message}"));
        return failures.RecordAsync(fault.Message, stage, reason, fault.FaultId, RunStatus.Failed, context.CancellationToken);
    }
}

public sealed class ExperimentSubmittedFaultConsumer(RunFailures failures) : FaultConsumer<ExperimentSubmitted>(failures, "data-prep");

public sealed class BasePretrainRequestedFaultConsumer(RunFailures failures) : FaultConsumer<BasePretrainRequested>(failures, "base-pretraining");

public sealed class RunRequestedFaultConsumer(RunFailures failures) : FaultConsumer<RunRequested>(failures, "trainer");

public sealed class CheckpointSavedFaultConsumer(RunFailures failures) : FaultConsumer<CheckpointSaved>(failures, "checkpoint-analysis");
