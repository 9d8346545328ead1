namespace Pipeline.ML.Evaluation;

/// <summary>One reported figure with its standard error over <see cref="Count"/> items (NaN when Count &lt; 2).</summary>
public sealed record MetricValue(string Task, string Metric, double Value, double StdErr, int Count);

/// <summary>How far a long evaluation has come: <see cref="Done"/> of <see cref="Total"/> (null when not known in advance) units of <see cref="Stage"/>.</summary>
public sealed record EvalProgress(string Stage, int Done, int? Total);
