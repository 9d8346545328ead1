using Pipeline.Data.Corpora.Readers;
using Pipeline.Data.UserData;

namespace Pipeline.Data.Tests;

/// <summary>Text that is not UTF-8 is refused with the offset of its first bad byte from the start of the file, never
/// decoded with replacement characters.</summary>
public class Utf8InputTests
{
    [Fact]
    public void An_invalid_byte_in_line_3_of_a_jsonl_file_is_reported_with_its_byte_offset()
    {
        using var temp = new TempFolder();
        // Lines 1 and 2 are 14 bytes each; `{"text": "ab` is 12 more, so 0xFF is byte 40, column 13 of line 3.
        var path = Write(temp, "data.jsonl", [.. "{\"text\": \"a\"}\n{\"text\": \"b\"}\n{\"text\": \"ab"u8, 0xFF, .. "c\"}\n"u8]);
        var error = Assert.Throws<DataFormatException>(() => new UserDataReader([temp.Path]).ReadTextJsonl(path));
        Assert.Equal($"{path}:3: not valid UTF-8 at byte offset 40 (line 3, column 13)", error.Message);
        Assert.Equal((path, 3), (error.File, error.Line));
    }

    [Fact]
    public void An_invalid_byte_in_a_txt_corpus_is_reported_with_its_byte_offset()
    {
        using var temp = new TempFolder();
        // `Hello\n` is 6 bytes and `wörld ` 7 (ö takes two), so 0xFF is byte 13, column 8 of line 2.
        var path = Write(temp, "corpus/notes.txt", [.. "Hello\nwörld "u8, 0xFF, .. "\n"u8]);
        var error = Assert.Throws<DataFormatException>(() => new UserDataReader([temp.Path]).ReadTextFolder(Path.Combine(temp.Path, "corpus")));
        Assert.Equal($"{path}:2: not valid UTF-8 at byte offset 13 (line 2, column 8)", error.Message);
    }

    [Fact]
    public void A_multi_byte_sequence_truncated_at_the_end_of_the_file_is_reported_where_it_starts()
    {
        using var temp = new TempFolder();
        var path = Write(temp, "euro.txt", [.. "abc"u8, 0xE2, 0x82]); // € is E2 82 AC
        var error = Assert.Throws<DataFormatException>(() => Utf8Text.ReadFile(path));
        Assert.Equal($"{path}:1: not valid UTF-8 at byte offset 3 (line 1, column 4)", error.Message);
    }

    [Fact]
    public void An_overlong_encoding_is_refused()
    {
        using var temp = new TempFolder();
        var path = Write(temp, "overlong.jsonl", [.. "{\"text\": \"a"u8, 0xC0, 0xAF, .. "\"}\n"u8]); // C0 AF: '/' in two bytes
        var error = Assert.Throws<DataFormatException>(() => new UserDataReader([temp.Path]).ReadTextJsonl(path));
        Assert.Equal($"{path}:1: not valid UTF-8 at byte offset 11 (line 1, column 12)", error.Message);
    }

    [Fact]
    public void A_UTF8_encoded_lone_surrogate_is_refused()
    {
        using var temp = new TempFolder();
        var path = Write(temp, "surrogate.txt", [.. "ok\nok\n"u8, 0xED, 0xA0, 0x80]); // U+D800 encoded as if it were a code point
        var error = Assert.Throws<DataFormatException>(() => Utf8Text.ReadFile(path));
        Assert.Equal($"{path}:3: not valid UTF-8 at byte offset 6 (line 3, column 1)", error.Message);
    }

    [Fact]
    public void The_offset_counts_a_byte_order_mark_which_the_text_does_not_keep()
    {
        using var temp = new TempFolder();
        Assert.Equal("héllo", Utf8Text.ReadFile(Write(temp, "bom.txt", [0xEF, 0xBB, 0xBF, .. "héllo"u8])));
        var path = Write(temp, "bad.txt", [0xEF, 0xBB, 0xBF, (byte)'a', 0xFF]);
        var error = Assert.Throws<DataFormatException>(() => Utf8Text.ReadFile(path));
        Assert.Equal($"{path}:1: not valid UTF-8 at byte offset 4 (line 1, column 5)", error.Message);
    }

    [Fact]
    public void A_staged_corpus_file_that_is_not_UTF8_is_refused()
    {
        using var temp = new TempFolder();
        var path = Write(temp, "sotu.tgz/package/data/1790_Washington_SOTU.txt", [.. "Fellow-Citizens"u8, 0x93]);
        var error = Assert.Throws<DataFormatException>(() => SotuReader.Read(temp.Path, "sotu.tgz"));
        Assert.Equal($"{path}:1: not valid UTF-8 at byte offset 15 (line 1, column 16)", error.Message);
    }

    [Theory]
    [InlineData("{\n  \"a\": 1,\n  oops\n}", 3, "not valid JSON at column 3: ")]
    [InlineData("{\n  \"a\": 1,\n  \"a\": 2\n}", 0, "not valid JSON: Duplicate property")]
    [InlineData("[1]", 0, "expected a JSON object")]
    public void A_JSON_file_that_is_not_one_object_is_refused_naming_the_file_and_its_line(string json, int line, string problem)
    {
        using var temp = new TempFolder();
        var path = temp.File("config.json", json);
        var error = Assert.Throws<DataFormatException>(() => JsonFile.ReadObject(path));
        Assert.Equal((path, line), (error.File, error.Line));
        Assert.Contains(problem, error.Message);
        Assert.DoesNotContain("LineNumber", error.Message);
    }

    private static string Write(TempFolder temp, string name, byte[] bytes)
    {
        var path = Path.Combine(temp.Path, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
