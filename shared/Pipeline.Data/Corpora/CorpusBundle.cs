using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text.Json;

namespace Pipeline.Data.Corpora;

/// <summary>The committed corpora, read back with every file checked against the manifest's sha256.</summary>
public sealed class CorpusBundle
{
    private readonly ConcurrentDictionary<string, IReadOnlyList<CorpusDocument>> _documents = new();

    private CorpusBundle(string directory, BundleManifest manifest)
    {
        Directory = directory;
        Manifest = manifest;
    }

    public string Directory { get; }
    public BundleManifest Manifest { get; }

    /// <summary>The bundle copied next to the running assembly by the build.</summary>
    public static string DefaultDirectory => Path.Combine(AppContext.BaseDirectory, "Corpora", "bundle");

    public static CorpusBundle Open(string? directory = null)
    {
        directory ??= DefaultDirectory;
        var manifest = Path.Combine(directory, BundleManifest.FileName);
        if (!File.Exists(manifest))
            throw new FileNotFoundException($"No corpus bundle at '{directory}' ({BundleManifest.FileName} missing).", manifest);
        return new CorpusBundle(directory, BundleManifest.Load(manifest));
    }

    public IEnumerable<string> SourcesOf(string domain) =>
        Manifest.Sources.Where(s => s.Domain == Domains.Validate(domain)).Select(s => s.Name);

    public IReadOnlyList<CorpusDocument> Read(string source) => _documents.GetOrAdd(source, Load);

    public IReadOnlyList<CorpusDocument> ReadDomain(string domain) => SourcesOf(domain).SelectMany(Read).ToList();

    private IReadOnlyList<CorpusDocument> Load(string source)
    {
        var entry = Manifest.Source(source).Bundle;
        var path = Path.Combine(Directory, entry.File);
        var compressed = File.ReadAllBytes(path);
        var hash = Hashing.Sha256Hex(compressed);
        if (hash != entry.Sha256)
            throw new InvalidDataException($"{path}: sha256 {hash} does not match the manifest ({entry.Sha256}); the bundle is corrupt or stale.");
        using var gzip = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        var documents = new List<CorpusDocument>();
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            documents.Add(JsonSerializer.Deserialize<CorpusDocument>(line, DataJson.Options)
                          ?? throw new DataFormatException(path, lineNumber, null, "null document"));
        }
        return documents;
    }
}
