using Pipeline.Contracts.Stages;
using Pipeline.Data;
using Pipeline.Data.Artifacts;

namespace Pipeline.Compute;

/// <summary>Artifact references: the store key as the path, and the sha256 of the artifact's manifest (a tree hash).</summary>
public static class ArtifactRefs
{
    public static ArtifactRef Of(ArtifactStore store, string key) =>
        new(key, Hashing.Sha256OfFile(Path.Combine(store.Get(key), ArtifactStore.ManifestName)));

    /// <summary>The artifact's directory, verified file by file and against the referenced tree hash.</summary>
    public static string Resolve(ArtifactStore store, ArtifactRef reference)
    {
        var directory = store.Get(reference.Path);
        var actual = Hashing.Sha256OfFile(Path.Combine(directory, ArtifactStore.ManifestName));
        if (actual != reference.Sha256)
            throw new InvalidDataException($"artifact '{reference.Path}' has manifest sha256 {actual}, but the message references {reference.Sha256}");
        return directory;
    }
}
