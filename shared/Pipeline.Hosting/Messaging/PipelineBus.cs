using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Contracts.Experiments;
using Pipeline.Contracts.Stages;
using Pipeline.Hosting.Logging;

namespace Pipeline.Hosting.Messaging;

/// <summary>
/// MassTransit over RabbitMQ when a connection string is given, else in-memory. RabbitMQ queues are durable and
/// messages persistent by default; publisher confirms are on. Failed messages are retried with exponential backoff,
/// then land in the endpoint's <c>_error</c> queue and a Fault&lt;T&gt; is published (FaultConsumer marks the run failed).
/// A failure caused by a database or broker outage is retried patiently instead (see <see cref="RetrySettings"/>).
/// </summary>
public static class PipelineBus
{
    public static IServiceCollection AddPipelineBus(this IServiceCollection services, PipelineSettings settings,
        Action<IBusRegistrationConfigurator> addConsumers)
    {
        services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();
            bus.ConfigureUsageTelemetryOptions(telemetry => telemetry.Enabled = false); // no phoning home (and no network here)
            addConsumers(bus);
            if (settings.RabbitMqUri is { } uri)
                bus.UsingRabbitMq((context, rabbit) =>
                {
                    rabbit.Host(new Uri(uri), host => host.PublisherConfirmation = true);
                    Configure(context, rabbit, settings.Retry);
                });
            else
                bus.UsingInMemory((context, memory) => Configure(context, memory, settings.Retry));
        });
        services.Configure<MassTransitHostOptions>(host =>
        {
            host.WaitUntilStarted = true;
            // On SIGTERM: stop taking messages, give in-flight consumers this long, then cancel their token so a
            // trainer saves a resumable state and releases its message (it is redelivered, not lost).
            host.ConsumerStopTimeout = settings.ConsumerStopTimeout;
            host.StopTimeout = settings.ConsumerStopTimeout + TimeSpan.FromSeconds(20);
        });
        return services;
    }

    static void Configure<TEndpoint>(IBusRegistrationContext context, IBusFactoryConfigurator<TEndpoint> bus, RetrySettings settings)
        where TEndpoint : IReceiveEndpointConfigurator
    {
        bus.UseConsumeFilter(typeof(LogScopeFilter<>), context);
        bus.UseMessageRetry(outage =>
        {
            outage.Interval(settings.OutageRetries, RetrySettings.OutageInterval);
            outage.Handle<Exception>(Outages.IsOutage);
        });
        bus.UseMessageRetry(retry =>
        {
            retry.Exponential(settings.Limit, settings.MinInterval, settings.MaxInterval, settings.MinInterval);
            retry.Ignore<Exception>(Outages.IsOutage); // left to the outage retry around this one
            retry.Ignore<RunDivergedException>();
            retry.Ignore<ExperimentRequestException>();
            retry.Ignore<InvalidDataException>();
        });
        bus.ConfigureEndpoints(context);
    }
}

/// <summary>Compute-bound consumers take one message at a time, so competing instances share the work fairly.</summary>
public class OneAtATimeDefinition<TConsumer> : ConsumerDefinition<TConsumer> where TConsumer : class, IConsumer
{
    public OneAtATimeDefinition() => ConcurrentMessageLimit = 1;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<TConsumer> consumer,
        IRegistrationContext context)
    {
        endpoint.PrefetchCount = 1;
        endpoint.ConcurrentMessageLimit = 1;
    }
}
