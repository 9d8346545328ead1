using Pipeline.Data;
using Pipeline.Data.UserData;

namespace Pipeline.Cli.Commands;

/// <summary>The texts of a command's --input: a `.txt` file is one text, read verbatim (CRLF kept; only a UTF-8 BOM
/// is dropped); a `.jsonl` file holds a "text" field per line. Both are strict UTF-8.</summary>
public static class TextInputFile
{
    public sealed record Text(string Id, string Value);

    public static IReadOnlyList<Text> Read(string path, bool allowEmpty = false)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"input file '{path}' does not exist");
        var name = Path.GetFileName(path);
        if (!path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase))
        {
            var text = Utf8Text.ReadFile(path);
            return allowEmpty || text.Length > 0 ? [new Text(name, text)] : throw new DataFormatException(path, 0, null, "the file is empty");
        }
        return JsonlReader.Read(path, (line, field) => new Text($"{name}:{field.Line}", field.String(line, "text", allowEmpty)));
    }
}
