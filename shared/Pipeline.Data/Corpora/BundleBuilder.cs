using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Pipeline.Data.Corpora.Readers;
using Serilog;

namespace Pipeline.Data.Corpora;

/// <summary>Turns unpacked upstream archives (see scripts/rebuild-corpora) into the committed bundle:
/// one `&lt;source&gt;.jsonl.gz` of `{"id","text"}` lines per source, the licence texts, and `manifest.json`.</summary>
public static class BundleBuilder
{
    public static BundleManifest Build(string stagingRoot, string bundleDirectory, string licensesDirectory)
    {
        var entries = CorpusSource.BuiltIn.Select(s => BuildSource(s, stagingRoot, bundleDirectory, licensesDirectory)).ToList();
        var manifest = new BundleManifest(1, entries);
        manifest.Save(Path.Combine(bundleDirectory, BundleManifest.FileName));
        return manifest;
    }

    private static SourceEntry BuildSource(CorpusSource source, string stagingRoot, string bundleDirectory, string licensesDirectory)
    {
        var extraction = source.Read(stagingRoot);
        var content = Jsonl(extraction.Documents);
        var compressed = Gzip(content);
        var file = source.Name + ".jsonl.gz";
        AtomicFile.Write(Path.Combine(bundleDirectory, file), s => s.Write(compressed));
        var licenseFiles = source.LicenseFiles.Select(l => CopyLicense(source.Name, stagingRoot, l, licensesDirectory)).ToList();
        Log.Information("Bundled {Source}: {Documents} documents, {Bytes} bytes, {Compressed} compressed",
            source.Name, extraction.Documents.Count, content.Length, compressed.Length);
        return new SourceEntry(source.Name, source.Domain, source.Description, source.License,
            source.Packages.Select(p => new PackageEntry(p.Registry, p.Name, p.Version, p.Archive,
                Hashing.Sha256OfFile(Path.Combine(stagingRoot, "archives", p.Archive)))).ToList(),
            licenseFiles,
            extraction.OriginalFiles.Select(o => new HashedFile(o, Hashing.Sha256OfFile(Path.Combine(stagingRoot, o)))).ToList(),
            extraction.ExcludedFiles,
            new BundleFileEntry(file, Hashing.Sha256Hex(compressed), Hashing.Sha256Hex(content), extraction.Documents.Count,
                extraction.Documents.Sum(d => (long)Encoding.UTF8.GetByteCount(d.Text))));
    }

    internal static byte[] Jsonl(IEnumerable<CorpusDocument> documents)
    {
        var text = new StringBuilder();
        foreach (var document in documents)
            text.Append(JsonSerializer.Serialize(document, DataJson.Options)).Append('\n');
        return new UTF8Encoding(false).GetBytes(text.ToString());
    }

    private static byte[] Gzip(byte[] content)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
            gzip.Write(content);
        return output.ToArray();
    }

    private static string CopyLicense(string source, string stagingRoot, string stagedPath, string licensesDirectory)
    {
        var target = Path.Combine(licensesDirectory, source, Path.GetFileName(stagedPath));
        var bytes = File.ReadAllBytes(Path.Combine(stagingRoot, stagedPath));
        AtomicFile.Write(target, s => s.Write(bytes));
        return $"licenses/{source}/{Path.GetFileName(stagedPath)}";
    }
}
