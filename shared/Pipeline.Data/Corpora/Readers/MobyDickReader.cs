using Pipeline.Data.UserData;

namespace Pipeline.Data.Corpora.Readers;

/// <summary>Moby Dick: one document per chapter (`chapter_N.txt`) plus the etymology, extracts and epilogue;
/// the table of contents and the whole-book duplicate (`data.txt`) are left out.</summary>
public static class MobyDickReader
{
    public static Extraction Read(string stagingRoot, string archive)
    {
        var data = Path.Combine(Staging.Folder(stagingRoot, archive), "package", "data");
        var chapters = Directory.GetFiles(data, "chapter_*.txt")
            .OrderBy(f => int.Parse(Path.GetFileNameWithoutExtension(f)["chapter_".Length..]))
            .ToList();
        List<string> files = [Path.Combine(data, "etymology.txt"), Path.Combine(data, "extracts.txt"), .. chapters, Path.Combine(data, "epilogue.txt")];
        var documents = files
            .Select(f => new CorpusDocument($"moby-dick/{Path.GetFileNameWithoutExtension(f)}", Staging.CleanText(Utf8Text.ReadFile(f))))
            .ToList();
        var excluded = new[] { "contents.txt", "data.txt" }.Select(n => Staging.Relative(stagingRoot, Path.Combine(data, n))).ToList();
        return new Extraction(documents, files.Select(f => Staging.Relative(stagingRoot, f)).ToList(), excluded);
    }
}
