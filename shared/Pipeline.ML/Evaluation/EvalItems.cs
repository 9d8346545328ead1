namespace Pipeline.ML.Evaluation;

/// <summary>A question scored by the log-likelihood of each choice as a continuation of the context.</summary>
public sealed record MultipleChoiceItem(string Context, IReadOnlyList<string> Choices, int Label);

/// <summary>A prompt answered by generation, cut at the first stop string, and compared with the reference answer.</summary>
public sealed record GenerationItem(string Prompt, string Answer, IReadOnlyList<string> Stop);

/// <summary>A document scored as a whole, for perplexity and bits per byte.</summary>
public sealed record TextDocument(string Id, string Text);

/// <summary>One reported figure with its standard error over <see cref="Count"/> items (NaN when Count &lt; 2).</summary>
public sealed record MetricValue(string Task, string Metric, double Value, double StdErr, int Count);

/// <summary>How far a long evaluation has come: <see cref="Done"/> of <see cref="Total"/> (null when not known in advance) units of <see cref="Stage"/>.</summary>
public sealed record EvalProgress(string Stage, int Done, int? Total);
