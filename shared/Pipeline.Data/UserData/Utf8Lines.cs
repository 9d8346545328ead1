namespace Pipeline.Data.UserData;

/// <summary>Reads a text file as strict UTF-8 (<see cref="Utf8Text"/>) line by line, so each line keeps its number.</summary>
public static class Utf8Lines
{
    public static IEnumerable<(int Number, string Text)> Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length == 0) throw new DataFormatException(path, 0, null, "the file is empty");
        var lines = Utf8Text.Decode(path, bytes).Split('\n');
        int count = lines[^1].Length == 0 ? lines.Length - 1 : lines.Length; // a final newline ends the last line
        return lines.Take(count).Select((line, i) => (i + 1, line.TrimEnd('\r')));
    }

    public static string ReadAll(string path)
    {
        var text = string.Join('\n', Read(path).Select(l => l.Text));
        return text.Trim().Length > 0 ? text : throw new DataFormatException(path, 0, null, "the file holds only whitespace");
    }
}
