namespace Pipeline.Contracts;

/// <summary>Every message belongs to an experiment; the hosts put this id on every log line.</summary>
public interface IExperimentMessage
{
    Guid ExperimentId { get; }
}

/// <summary>Messages about one run also carry its id.</summary>
public interface IRunMessage : IExperimentMessage
{
    Guid RunId { get; }
}
