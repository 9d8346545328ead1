using System.Collections.Concurrent;
using MassTransit;

namespace Pipeline.Workflow.Tests.Fixtures;

/// <summary>Counts messages a bus has finished consuming, so a test can wait for a redelivery to be handled.</summary>
public sealed class ConsumedCounter : IConsumeObserver
{
    readonly ConcurrentDictionary<Type, int> counts = new();

    public int Count<T>() => counts.GetValueOrDefault(typeof(T));

    public async Task WaitForAsync<T>(int count, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (Count<T>() < count)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{typeof(T).Name} consumed {Count<T>()} times, expected {count}");
            await Task.Delay(50);
        }
    }

    public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class
    {
        counts.AddOrUpdate(typeof(T), 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Task.CompletedTask;
}
