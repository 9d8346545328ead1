namespace Pipeline.ML;

/// <summary>Writes that never leave a half-written file behind: write a sibling temp file, then rename over.</summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string text) => Write(path, temp => File.WriteAllText(temp, text));

    public static void Write(string path, Action<string> writeTemp)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            writeTemp(temp);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Builds a whole directory beside <paramref name="path"/> and renames it into place.</summary>
    public static void WriteDirectory(string path, Action<string> writeTemp)
    {
        var full = Path.GetFullPath(path);
        var temp = $"{full}.{Guid.NewGuid():N}.tmp";
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
