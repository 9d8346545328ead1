namespace Pipeline.Contracts.Experiments;

/// <summary>One invalid field: its JSON path (e.g. <c>$.grid[1].ranks[0]</c>) and what is wrong with it.</summary>
public sealed record ValidationError(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>Thrown when a request is rejected; carries every error found, not just the first.</summary>
public sealed class ExperimentRequestException(string source, IReadOnlyList<ValidationError> errors)
    : Exception($"{source}: {errors.Count} invalid field(s):{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", errors)}")
{
    public string RequestSource { get; } = source;
    public IReadOnlyList<ValidationError> Errors { get; } = errors;
}
