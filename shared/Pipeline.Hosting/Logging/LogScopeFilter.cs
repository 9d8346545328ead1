using MassTransit;
using Pipeline.Contracts;
using SerilogContext = Serilog.Context.LogContext;

namespace Pipeline.Hosting.Logging;

/// <summary>Puts the experiment and run ids of the message being consumed (or of the one a fault is about) on every log line.</summary>
public sealed class LogScopeFilter<T> : IFilter<ConsumeContext<T>> where T : class
{
    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        var (experimentId, runId) = MessageIds.Of(context.Message);
        using (SerilogContext.PushProperty("ExperimentId", experimentId))
        using (SerilogContext.PushProperty("RunId", runId))
        using (SerilogContext.PushProperty("MessageType", typeof(T).Name))
            await next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("log-scope");
}

public static class MessageIds
{
    public static (Guid? ExperimentId, Guid? RunId) Of(object message) => message switch
    {
        IRunMessage run => (run.ExperimentId, run.RunId),
        IExperimentMessage experiment => (experiment.ExperimentId, null),
        Fault fault when fault.GetType().GetProperty(nameof(Fault<object>.Message))?.GetValue(fault) is { } inner => Of(inner),
        _ => (null, null),
    };
}
