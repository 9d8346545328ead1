using Pipeline.Data.UserData;

namespace Pipeline.Data.Corpora.Readers;

/// <summary>State of the Union addresses: `package/data/&lt;year&gt;_&lt;president&gt;_&lt;kind&gt;.txt`, one address per file.</summary>
public static class SotuReader
{
    public static Extraction Read(string stagingRoot, string archive)
    {
        var data = Path.Combine(Staging.Folder(stagingRoot, archive), "package", "data");
        var files = Directory.GetFiles(data, "*.txt").Order(StringComparer.Ordinal).ToList();
        var documents = files
            .Select(f => new CorpusDocument($"sotu/{Path.GetFileNameWithoutExtension(f)}", Staging.CleanText(Utf8Text.ReadFile(f))))
            .Where(d => d.Text.Length > 0)
            .ToList();
        return new Extraction(documents, files.Select(f => Staging.Relative(stagingRoot, f)).ToList(), []);
    }
}
