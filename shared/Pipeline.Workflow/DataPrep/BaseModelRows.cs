using Pipeline.Contracts.Stages;
using Pipeline.Persistence.Rows;

namespace Pipeline.Workflow.DataPrep;

static class BaseModelRows
{
    public static ModelArtifact ToArtifact(this BaseModelRow row) => new(
        row.CacheKey,
        row.Description ?? row.Preset,
        new ArtifactRef(row.Path ?? throw new InvalidDataException($"base model {row.CacheKey} is ready but has no path"), row.Sha256 ?? ""));
}
