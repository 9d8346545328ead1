using Pipeline.Contracts.Stages;

namespace Pipeline.Persistence.Rows;

// One class per table. Natural keys (unique indexes, see ResultsDb) make every write idempotent under redelivery.
// Times are UTC DateTime: both providers store and order them natively.

public sealed class ExperimentRow
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public required string ContentHash { get; set; }
    public required string RequestJson { get; set; }
    public ExperimentStatus Status { get; set; }
    public string? BaseModelKey { get; set; }
    /// <summary>The data-prep output, kept so the runs can fan out once the base model is ready.</summary>
    public string? PreparedJson { get; set; }
    public DateTime SubmittedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
}

public enum ExperimentStatus { Submitted, AwaitingBaseModel, Running, Completed }

public sealed class RunRow
{
    public Guid Id { get; set; }
    public Guid ExperimentId { get; set; }
    public required string CellKey { get; set; }
    public required string Method { get; set; }
    public int? Rank { get; set; }
    public double LearningRate { get; set; }
    public int Seed { get; set; }
    /// <summary>The RunRequested message body, so `pipeline retry` can requeue the run as it was.</summary>
    public required string RequestJson { get; set; }
    public RunStatus Status { get; set; }
    public int MilestoneCount { get; set; }
    public long Step { get; set; }
    public long TotalSteps { get; set; }
    public long TokensSeen { get; set; }
    public long TotalTokens { get; set; }
    public double? Loss { get; set; }
    public double? TokensPerSecond { get; set; }
    public double? EtaSeconds { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
}

public enum RunStatus { Queued, Training, Trained, Completed, Failed, Diverged }

public sealed class BaseModelRow
{
    public required string CacheKey { get; set; }
    public required string Preset { get; set; }
    public BaseModelStatus Status { get; set; }
    public string? Description { get; set; }
    public string? Path { get; set; }
    public string? Sha256 { get; set; }
    public DateTime RequestedAt { get; set; }
    public DateTime? ReadyAt { get; set; }
}

public enum BaseModelStatus { Pretraining, Ready }

public sealed class CheckpointRow
{
    public Guid Id { get; set; }
    public Guid RunId { get; set; }
    public int MilestoneIndex { get; set; }
    public long Step { get; set; }
    public long TokensSeen { get; set; }
    public required string ModelPath { get; set; }
    public required string ModelSha256 { get; set; }
    public string? AdapterPath { get; set; }
    public string? AdapterSha256 { get; set; }
    public DateTime SavedAt { get; set; }
    public DateTime? EvaluatedAt { get; set; }
    public DateTime? RankAnalysedAt { get; set; }

    public bool IsBase => MilestoneIndex == CheckpointArtifact.BaseMilestone;
}

public sealed class MetricRow
{
    public long Id { get; set; }
    public Guid CheckpointId { get; set; }
    public required string Task { get; set; }
    public required string Domain { get; set; }
    public required string Metric { get; set; }
    public double Value { get; set; }
    public double? StdErr { get; set; }
}

/// <summary>One evaluated item of a checkpoint (lm-eval's --log_samples record); written with the checkpoint's metrics.</summary>
public sealed class SampleRow
{
    public long Id { get; set; }
    public Guid CheckpointId { get; set; }
    public required string Task { get; set; }
    public required string Domain { get; set; }
    /// <summary>The item's index in the task file: the same item has the same DocId at every checkpoint.</summary>
    public int DocId { get; set; }
    /// <summary>The item's own id: a perplexity document's, a task file's <c>id</c>, else the DocId.</summary>
    public required string ItemId { get; set; }
    /// <summary>The document the item was drawn from (the cluster of its standard error); null when it is its own.</summary>
    public string? SourceId { get; set; }
    public required string DocJson { get; set; }
    public required string Target { get; set; }
    public required string ResponsesJson { get; set; }
    public required string FilteredResponsesJson { get; set; }
    /// <summary>The per-item metric fields as a JSON object of numbers (see SampleResult.Values).</summary>
    public required string ValuesJson { get; set; }
}

public sealed class RankAnalysisRow
{
    public long Id { get; set; }
    public Guid CheckpointId { get; set; }
    public int Layer { get; set; }
    public required string Module { get; set; }
    public int Rows { get; set; }
    public int Columns { get; set; }
    public int Rank90 { get; set; }
    public int RandomRank90 { get; set; }
    public double StableRank { get; set; }
    public int IntruderCount { get; set; }
    /// <summary>Singular values, largest first, as a JSON array (portable across both providers).</summary>
    public required string SpectrumJson { get; set; }
}

/// <summary>Loss curve points of a run, or of a base pretraining (RunId derived from the base model's cache key).</summary>
public sealed class TrainingCurveRow
{
    public long Id { get; set; }
    public Guid RunId { get; set; }
    public long Step { get; set; }
    public long TokensSeen { get; set; }
    public double Loss { get; set; }
    public double LearningRate { get; set; }
    public double TokensPerSecond { get; set; }
    public DateTime RecordedAt { get; set; }
}

public sealed class FailureRow
{
    public long Id { get; set; }
    /// <summary>The MassTransit fault id (or another unique id of the failure), so a redelivered fault is recorded once.</summary>
    public Guid FailureId { get; set; }
    public Guid ExperimentId { get; set; }
    public Guid? RunId { get; set; }
    public required string Stage { get; set; }
    public required string Reason { get; set; }
    public DateTime OccurredAt { get; set; }
}

/// <summary>A message to publish, written in the same transaction as the rows that caused it; drained by OutboxDispatcher.</summary>
public sealed class OutboxMessageRow
{
    public long Id { get; set; }
    public Guid MessageId { get; set; }
    public required string MessageType { get; set; }
    public required string Body { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? DispatchedAt { get; set; }
}
