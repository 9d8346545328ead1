using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Pipeline.Data.Corpora.Readers;

namespace Pipeline.Data.Tests;

public class CorpusReaderTests
{
    [Fact]
    public void Austen_rdb_blocks_are_split_into_chapter_documents()
    {
        using var stage = new TempFolder();
        var rdb = Path.Combine(stage.Path, "austen.deb", AustenReader.RdbPath);
        Directory.CreateDirectory(Path.GetDirectoryName(rdb)!);
        File.WriteAllBytes(rdb, [.. Block(["PERSUASION", "", "Chapter 1", "", "Sir Walter.", "Chapter 2", "Mr Shepherd."]),
            .. Block(["EMMA", "CHAPTER I", "Emma Woodhouse, handsome, clever, and rich", null])]);
        var documents = AustenReader.Read(stage.Path, "austen.deb").Documents;
        Assert.Equal(["austen/persuasion/chapter-001", "austen/persuasion/chapter-002", "austen/emma/chapter-001"], documents.Select(d => d.Id));
        Assert.Equal("Chapter 1\n\nSir Walter.", documents[0].Text);
        Assert.Equal("CHAPTER I\nEmma Woodhouse, handsome, clever, and rich", documents[2].Text);
    }

    [Fact]
    public void A_block_that_is_not_a_character_vector_is_reported()
    {
        using var stage = new TempFolder();
        var rdb = Path.Combine(stage.Path, "bad.rdb");
        File.WriteAllBytes(rdb, Compress(Serialize(["x"], type: 13))); // INTSXP where a STRSXP belongs
        var error = Assert.Throws<DataFormatException>(() => AustenReader.ReadBlocks(rdb).ToList());
        Assert.Equal("type", error.Field);
    }

    [Theory]
    [InlineData("test/test_os.py", true)]
    [InlineData("idlelib/idle_test/htest.py", true)]
    [InlineData("unittest/test/test_case.py", true)]
    [InlineData("lib2to3/tests/data/x.py", true)]
    [InlineData("test_foo.py", true)]
    [InlineData("unittest/case.py", false)]
    [InlineData("json/__init__.py", false)]
    [InlineData("contest.py", false)]
    public void Python_test_files_are_recognised(string module, bool isTest) =>
        Assert.Equal(isTest, PythonStdlibReader.IsTestFile(module));

    /// <summary>One rdb block: big-endian length, then zlib of R's XDR serialization (version 3) of a character vector.</summary>
    private static byte[] Block(string?[] lines) => Compress(Serialize(lines));

    private static byte[] Compress(byte[] serialized)
    {
        using var output = new MemoryStream();
        output.Write(BigEndian(serialized.Length));
        using (var zlib = new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(serialized);
        return output.ToArray();
    }

    private static byte[] Serialize(string?[] lines, int type = 16)
    {
        var s = new MemoryStream();
        s.Write("X\n"u8);
        s.Write(BigEndian(3));
        s.Write(BigEndian(0x00040201));
        s.Write(BigEndian(0x00030500));
        s.Write(BigEndian(5));
        s.Write("UTF-8"u8);
        s.Write(BigEndian(type)); // 16 = STRSXP
        s.Write(BigEndian(lines.Length));
        foreach (var line in lines)
        {
            s.Write(BigEndian(0x00040009)); // CHARSXP, ASCII
            if (line is null) { s.Write(BigEndian(-1)); continue; }
            var bytes = Encoding.UTF8.GetBytes(line);
            s.Write(BigEndian(bytes.Length));
            s.Write(bytes);
        }
        return s.ToArray();
    }

    private static byte[] BigEndian(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }
}
