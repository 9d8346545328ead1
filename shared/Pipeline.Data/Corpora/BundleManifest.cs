using System.Text.Json;

namespace Pipeline.Data.Corpora;

public sealed record HashedFile(string Path, string Sha256);

public sealed record PackageEntry(string Registry, string Name, string Version, string Archive, string Sha256);

/// <summary>`File` is the gzip in the bundle; `ContentSha256` hashes its decompressed JSONL, which stays stable even if a
/// different zlib build compresses differently.</summary>
public sealed record BundleFileEntry(string File, string Sha256, string ContentSha256, int Documents, long Bytes);

public sealed record SourceEntry(
    string Name,
    string Domain,
    string Description,
    string License,
    IReadOnlyList<PackageEntry> Packages,
    IReadOnlyList<string> LicenseFiles,
    IReadOnlyList<HashedFile> Originals,
    IReadOnlyList<string> Excluded,
    BundleFileEntry Bundle);

/// <summary>Provenance of every built-in corpus: the exact packages, hashes of the original files and of the bundle files.</summary>
public sealed record BundleManifest(int Format, IReadOnlyList<SourceEntry> Sources)
{
    public const string FileName = "manifest.json";

    public SourceEntry Source(string name) =>
        Sources.FirstOrDefault(s => s.Name == name) ?? throw new KeyNotFoundException($"The corpus manifest has no source '{name}'.");

    public static BundleManifest Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<BundleManifest>(File.ReadAllText(path), DataJson.Options)
                   ?? throw new DataFormatException(path, 0, null, "manifest is null");
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, (int)(e.LineNumber ?? -1) + 1, e.Path, e.Message);
        }
    }

    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, DataJson.Indented) + "\n");

    /// <summary>Every hash that differs between a freshly rebuilt manifest and the committed one, as readable lines.</summary>
    public IReadOnlyList<string> Differences(BundleManifest expected)
    {
        var lines = new List<string>();
        foreach (var want in expected.Sources)
        {
            var got = Sources.FirstOrDefault(s => s.Name == want.Name);
            if (got is null) { lines.Add($"{want.Name}: missing from the rebuild"); continue; }
            Compare(lines, want.Name, want.Packages.Select(p => (p.Archive, p.Sha256)), got.Packages.Select(p => (p.Archive, p.Sha256)));
            Compare(lines, want.Name, want.Originals.Select(o => (o.Path, o.Sha256)), got.Originals.Select(o => (o.Path, o.Sha256)));
            Compare(lines, want.Name, [(want.Bundle.File + " (content)", want.Bundle.ContentSha256)], [(got.Bundle.File + " (content)", got.Bundle.ContentSha256)]);
            Compare(lines, want.Name, [(want.Bundle.File, want.Bundle.Sha256)], [(got.Bundle.File, got.Bundle.Sha256)]);
        }
        return lines;
    }

    private static void Compare(List<string> lines, string source, IEnumerable<(string Name, string Hash)> want, IEnumerable<(string Name, string Hash)> got)
    {
        var actual = got.ToDictionary(g => g.Name, g => g.Hash);
        foreach (var (name, hash) in want)
        {
            if (!actual.TryGetValue(name, out var other)) lines.Add($"{source}: {name} missing");
            else if (other != hash) lines.Add($"{source}: {name} sha256 {other} != committed {hash}");
        }
    }
}
