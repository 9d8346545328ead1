using Pipeline.Data.Artifacts;
using Pipeline.ML.Modeling;

namespace Pipeline.Compute.Trainer;

internal static class TrainingLayout
{
    /// <summary>Where the resumable training state behind an artifact lives: outside the artifact, so a crash keeps it.</summary>
    public static string StateDirectory(ArtifactStore store, string key) => Path.Combine(store.Root, "work", key.Replace('/', '-'), "state");

    /// <summary>The configured training length, never beyond the model's context.</summary>
    public static int SequenceLength(ComputeSettings settings, LlamaConfig config) =>
        Math.Min(settings.SequenceLength ?? config.MaxPositionEmbeddings, config.MaxPositionEmbeddings);
}
