namespace Pipeline.Contracts.Stages;

/// <summary>A file or directory in the content-addressed artifact store: a path relative to its root, and its sha256.</summary>
public sealed record ArtifactRef(string Path, string Sha256);

/// <summary>Where the artifact store that all services share lives: every <see cref="ArtifactRef.Path"/> is relative to it.</summary>
public sealed record ArtifactStoreRoot(string Path);

/// <summary>A dataset or evaluation task set; Domain is "source" (forgetting) or "target" (learning).</summary>
public sealed record NamedArtifact(string Name, string Domain, ArtifactRef Artifact);

/// <summary>A base model: a Hugging Face directory or a pretrained built-in preset, cached under its content key.</summary>
public sealed record ModelArtifact(string CacheKey, string Description, ArtifactRef Artifact);

/// <summary>The model state at one milestone; Adapter is set for the LoRA family (a PEFT adapter directory).</summary>
public sealed record CheckpointArtifact(int MilestoneIndex, long Step, long TokensSeen, ArtifactRef Model, ArtifactRef? Adapter)
{
    /// <summary>The milestone index of the base model itself, before any finetuning: every curve starts there.</summary>
    public const int BaseMilestone = -1;

    public bool IsBase => MilestoneIndex == BaseMilestone;

    public static CheckpointArtifact OfBase(ModelArtifact model) => new(BaseMilestone, 0, 0, model.Artifact, null);
}
