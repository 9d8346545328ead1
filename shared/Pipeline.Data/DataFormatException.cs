namespace Pipeline.Data;

/// <summary>Bad input data, located precisely enough for a user to fix it: file, line (1-based, 0 when not line-based) and field.</summary>
public sealed class DataFormatException(string file, int line, string? field, string problem)
    : Exception(Describe(file, line, field, problem))
{
    public string File { get; } = file;
    public int Line { get; } = line;
    public string? Field { get; } = field;

    private static string Describe(string file, int line, string? field, string problem)
    {
        var where = line > 0 ? $"{file}:{line}" : file;
        return field is null ? $"{where}: {problem}" : $"{where}: field '{field}': {problem}";
    }
}
