using System.Runtime.CompilerServices;

namespace Pipeline.ML.Tests;

internal static class TestSetup
{
    /// <summary>xunit runs test classes in parallel; one intra-op thread each keeps tiny-model tests from oversubscribing cores.</summary>
    [ModuleInitializer]
    internal static void SingleThreadedTorch() => TorchSharp.torch.set_num_threads(1);
}

/// <summary>Dropout draws from torch's global generator, so tests that train with it must not overlap any other test.</summary>
[CollectionDefinition(Collection, DisableParallelization = true)]
public sealed class GlobalRng
{
    public const string Collection = "global torch RNG";
}
