using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Contracts;

/// <summary>
/// Ids derived from natural keys, so a redelivered or re-submitted message maps to the same row instead of a new one.
/// </summary>
public static class DeterministicId
{
    public static Guid From(params string[] parts)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', parts)));
        return new Guid(bytes.AsSpan(0, 16));
    }

    public static Guid Experiment(string name) => From("experiment", name);
    public static Guid Run(Guid experimentId, string cellKey) => From("run", experimentId.ToString(), cellKey);
    public static Guid Checkpoint(Guid runId, int milestoneIndex) => From("checkpoint", runId.ToString(), milestoneIndex.ToString());
}
