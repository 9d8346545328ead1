using System.IO.Compression;
using Pipeline.Data.Corpora;
using Pipeline.Data.Datasets;

namespace Pipeline.Data.Tests;

public class CorpusBundleTests
{
    private static readonly CorpusBundle Bundle = CorpusBundle.Open();

    [Fact]
    public void Manifest_hashes_match_the_bundle_files_and_their_content()
    {
        foreach (var source in Bundle.Manifest.Sources)
        {
            var path = Path.Combine(Bundle.Directory, source.Bundle.File);
            var compressed = File.ReadAllBytes(path);
            Assert.Equal(source.Bundle.Sha256, Hashing.Sha256Hex(compressed));
            using var gzip = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
            using var content = new MemoryStream();
            gzip.CopyTo(content);
            Assert.Equal(source.Bundle.ContentSha256, Hashing.Sha256Hex(content.ToArray()));
        }
    }

    [Fact]
    public void Every_source_has_provenance_and_its_licence_texts()
    {
        var corpora = Path.GetDirectoryName(Bundle.Directory)!;
        foreach (var source in Bundle.Manifest.Sources)
        {
            Assert.NotEmpty(source.Packages);
            Assert.All(source.Packages, p => Assert.Matches("^[0-9a-f]{64}$", p.Sha256));
            Assert.NotEmpty(source.Originals);
            Assert.NotEmpty(source.LicenseFiles);
            Assert.All(source.LicenseFiles, l => Assert.True(new FileInfo(Path.Combine(corpora, l)).Length > 20, l));
        }
        Assert.True(Directory.GetFiles(Bundle.Directory).Sum(f => new FileInfo(f).Length) < 25_000_000);
    }

    [Fact]
    public void Sources_read_back_with_the_documented_document_counts()
    {
        Assert.Equal(233, Bundle.Read("sotu").Count);
        Assert.Equal(269, Bundle.Read("austen").Count); // 55 + 48 + 31 + 24 + 61 + 50 chapters
        Assert.StartsWith("CHAPTER I", Bundle.Read("austen")[0].Text);
        Assert.StartsWith("CHAPTER 1. Loomings.", Bundle.Read("moby-dick").Single(d => d.Id == "moby-dick/chapter_1").Text);
        var python = Bundle.Read("python-stdlib");
        Assert.Contains(python, d => d.Id == "python/json/__init__.py");
        Assert.DoesNotContain(python, d => d.Id.Contains("/test/"));
        Assert.Equal(python.Count, python.Select(d => Hashing.Sha256Hex(d.Text)).Distinct().Count());
    }

    [Fact]
    public void A_tampered_bundle_file_is_refused()
    {
        using var temp = new TempFolder();
        foreach (var file in Directory.GetFiles(Bundle.Directory)) File.Copy(file, Path.Combine(temp.Path, Path.GetFileName(file)));
        var moby = Path.Combine(temp.Path, "moby-dick.jsonl.gz");
        var bytes = File.ReadAllBytes(moby);
        bytes[^10] ^= 0xFF;
        File.WriteAllBytes(moby, bytes);
        var error = Assert.Throws<InvalidDataException>(() => CorpusBundle.Open(temp.Path).Read("moby-dick"));
        Assert.Contains("moby-dick.jsonl.gz", error.Message);
    }

    [Fact]
    public void Split_assignment_is_stable_and_close_to_the_fractions()
    {
        var ids = Bundle.ReadDomain(Domains.Source).Select(d => d.Id).ToList();
        var splits = ids.Select(id => DocumentSplits.Assign(id, SplitFractions.Default)).ToList();
        Assert.Equal(splits, ids.Select(id => DocumentSplits.Assign(id, SplitFractions.Default)));
        var test = splits.Count(s => s == DocumentSplits.Test) / (double)ids.Count;
        Assert.InRange(test, 0.06, 0.14);
    }
}
