using Pipeline.Data.UserData;

namespace Pipeline.Data.Corpora.Readers;

/// <summary>The Python 3.11 standard library from Debian's libpython3.11-minimal and -stdlib packages: one document per
/// `.py` file, deduplicated by content, with the test suite, symlinks, non-UTF-8 and empty files left out (listed in the manifest).</summary>
public static class PythonStdlibReader
{
    public const string LibraryPath = "usr/lib/python3.11";

    public static Extraction Read(string stagingRoot, IEnumerable<string> archives)
    {
        var files = archives
            .SelectMany(a => Directory.GetFiles(Path.Combine(Staging.Folder(stagingRoot, a), LibraryPath), "*.py", SearchOption.AllDirectories))
            .Select(f => (Full: f, Module: Path.GetRelativePath(Path.Combine(stagingRoot, ArchiveOf(stagingRoot, f), LibraryPath), f).Replace('\\', '/')))
            .OrderBy(f => f.Module, StringComparer.Ordinal)
            .ToList();
        var documents = new List<CorpusDocument>();
        var originals = new List<string>();
        var excluded = new List<string>();
        var seen = new HashSet<string>();
        foreach (var (full, module) in files)
        {
            var relative = Staging.Relative(stagingRoot, full);
            var text = IsTestFile(module) || new FileInfo(full).LinkTarget is not null ? null : TryDecode(full);
            if (text is null || text.Trim().Length == 0 || !seen.Add(Hashing.Sha256Hex(text)))
            {
                excluded.Add(relative);
                continue;
            }
            originals.Add(relative);
            documents.Add(new CorpusDocument($"python/{module}", text));
        }
        return new Extraction(documents, originals, excluded);
    }

    public static bool IsTestFile(string module)
    {
        var parts = module.Split('/');
        var name = parts[^1];
        return parts[..^1].Any(p => p is "test" or "tests" or "idle_test")
               || name.StartsWith("test_", StringComparison.Ordinal)
               || name.EndsWith("_test.py", StringComparison.Ordinal);
    }

    private static string ArchiveOf(string stagingRoot, string file) =>
        Staging.Relative(stagingRoot, file).Split('/')[0];

    /// <summary>Code keeps its exact whitespace (only line endings are normalised); files that are not UTF-8 are skipped.</summary>
    private static string? TryDecode(string path) =>
        Utf8Text.TryDecode(File.ReadAllBytes(path), out var text, out _) ? text.Replace("\r\n", "\n") : null;
}
