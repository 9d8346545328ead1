using Pipeline.Data.Artifacts;

namespace Pipeline.Data;

/// <summary>Writes a file so that readers see either the old content or the complete new one, never a partial file.</summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{TempFiles.NewName()}{TempFiles.Suffix}");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
                write(stream);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    public static void WriteAllText(string path, string text) =>
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false));
            writer.Write(text);
        });

    /// <summary>Builds a whole directory beside <paramref name="path"/>, then swaps it into place.</summary>
    public static void WriteDirectory(string path, Action<string> writeTemp)
    {
        var full = Path.GetFullPath(path);
        var temp = $"{full}.{TempFiles.NewName()}{TempFiles.Suffix}";
        try
        {
            Directory.CreateDirectory(temp);
            writeTemp(temp);
            if (Directory.Exists(full)) Directory.Delete(full, recursive: true);
            Directory.Move(temp, full);
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
    }
}
