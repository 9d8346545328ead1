using Pipeline.Contracts.Experiments;
using Pipeline.Contracts.Stages;

namespace Pipeline.Contracts;

// Commands are verbs, events past tense. Each arrow of the flow is one of these records:
// submit ─ExperimentSubmitted→ data-prep ─BasePretrainRequested→ trainer ─BaseModelReady→ data-prep
//        ─RunRequested×grid→ trainers ─CheckpointSaved→ evaluator, rank-analysis ─…→ RunCompleted → ExperimentCompleted

public sealed record ExperimentSubmitted(Guid ExperimentId, string Name, Experiment Experiment) : IExperimentMessage;

public sealed record BasePretrainRequested(Guid ExperimentId, BasePretrainRequest Request) : IExperimentMessage;

/// <summary>Every experiment waiting on this base model (by cache key) fans out its runs.</summary>
public sealed record BaseModelReady(Guid ExperimentId, ModelArtifact Model) : IExperimentMessage;

public sealed record RunRequested(Guid ExperimentId, Guid RunId, RunRequest Run) : IRunMessage;

public sealed record CheckpointSaved(Guid ExperimentId, Guid RunId, Guid CheckpointId, CheckpointArtifact Checkpoint, RunRequest Run) : IRunMessage;

public sealed record CheckpointEvaluated(Guid ExperimentId, Guid RunId, Guid CheckpointId, int MetricCount) : IRunMessage;

public sealed record CheckpointRankAnalysed(Guid ExperimentId, Guid RunId, Guid CheckpointId, int ModuleCount) : IRunMessage;

public sealed record RunCompleted(Guid ExperimentId, Guid RunId) : IRunMessage;

public sealed record RunFailed(Guid ExperimentId, Guid RunId, string Stage, string Reason) : IRunMessage;

public sealed record ExperimentCompleted(Guid ExperimentId, string Name) : IExperimentMessage;
