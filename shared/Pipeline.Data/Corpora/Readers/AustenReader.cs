using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace Pipeline.Data.Corpora.Readers;

/// <summary>The six Austen novels from janeaustenr's `data/Rdata.rdb`: six blocks, each a 4-byte big-endian length and a
/// zlib stream holding one R-serialized (XDR) character vector of lines. Each chapter becomes one document.</summary>
public static partial class AustenReader
{
    public const string RdbPath = "usr/lib/R/site-library/janeaustenr/data/Rdata.rdb";

    [GeneratedRegex(@"^(CHAPTER|Chapter) ([IVXLC]+|\d+)\.?$")]
    private static partial Regex ChapterHeading();

    public static Extraction Read(string stagingRoot, string archive)
    {
        var path = Path.Combine(Staging.Folder(stagingRoot, archive), RdbPath);
        var documents = new List<CorpusDocument>();
        foreach (var lines in ReadBlocks(path))
            documents.AddRange(SplitChapters(lines));
        return new Extraction(documents, [Staging.Relative(stagingRoot, path)], []);
    }

    public static IEnumerable<IReadOnlyList<string>> ReadBlocks(string rdbPath)
    {
        var bytes = File.ReadAllBytes(rdbPath);
        var offset = 0;
        while (offset < bytes.Length)
        {
            var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(offset, 4));
            using var input = new MemoryStream(bytes, offset + 4, bytes.Length - offset - 4);
            using var zlib = new ZLibStream(input, CompressionMode.Decompress);
            var block = new byte[length];
            zlib.ReadExactly(block);
            yield return RCharacterVector.Parse(block, rdbPath);
            offset += 4 + CompressedLength(bytes, offset + 4, block, rdbPath);
        }
    }

    /// <summary>ZLibStream reads ahead and cannot say where a stream ended, so the end is found from the zlib trailer:
    /// the big-endian Adler-32 of the block's uncompressed bytes.</summary>
    private static int CompressedLength(byte[] bytes, int start, byte[] block, string file)
    {
        var adler = Adler32(block);
        for (var end = start + 6; end + 4 <= bytes.Length; end++)
        {
            if (System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(end, 4)) == adler)
                return end + 4 - start;
        }
        throw new DataFormatException(file, 0, null, $"zlib block at byte {start} has no Adler-32 trailer");
    }

    private static uint Adler32(byte[] data)
    {
        uint a = 1, b = 0;
        foreach (var x in data)
        {
            a = (a + x) % 65521;
            b = (b + a) % 65521;
        }
        return (b << 16) | a;
    }

    private static IEnumerable<CorpusDocument> SplitChapters(IReadOnlyList<string> lines)
    {
        var title = lines.First(l => l.Trim().Length > 0).Trim();
        var book = Regex.Replace(title.ToLowerInvariant(), "[^a-z]+", "-").Trim('-');
        var chapter = 0;
        var text = new StringBuilder();
        foreach (var line in lines)
        {
            if (ChapterHeading().IsMatch(line.Trim()))
            {
                if (chapter > 0) yield return Document(book, chapter, text);
                chapter++;
                text.Clear();
            }
            if (chapter > 0) text.Append(line).Append('\n');
        }
        if (chapter > 0) yield return Document(book, chapter, text);
    }

    private static CorpusDocument Document(string book, int chapter, StringBuilder text) =>
        new($"austen/{book}/chapter-{chapter:D3}", Staging.CleanText(text.ToString()));
}
