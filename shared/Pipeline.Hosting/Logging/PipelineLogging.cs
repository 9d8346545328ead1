using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace Pipeline.Hosting.Logging;

/// <summary>The one Serilog setup: console text by default, compact JSON on request; ids come from the LogContext.</summary>
public static class PipelineLogging
{
    const string Template = "[{Timestamp:HH:mm:ss} {Level:u3}] {Service} exp={ExperimentId} run={RunId} {Message:lj}{NewLine}{Exception}";

    public static ILogger Create(string service, bool json, LogEventLevel minimum = LogEventLevel.Information)
    {
        var log = new LoggerConfiguration()
            .MinimumLevel.Is(minimum)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("MassTransit", LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .Enrich.WithProperty("Service", service);
        return (json
            ? log.WriteTo.Console(new CompactJsonFormatter(), standardErrorFromLevel: LogEventLevel.Verbose)
            : log.WriteTo.Console(outputTemplate: Template, standardErrorFromLevel: LogEventLevel.Verbose)).CreateLogger();
    }
}
