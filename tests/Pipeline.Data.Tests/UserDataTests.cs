using Pipeline.Data.Chat;
using Pipeline.Data.Datasets;
using Pipeline.Data.Tasks;
using Pipeline.Data.UserData;

namespace Pipeline.Data.Tests;

public class UserDataTests(TokenizerTests.Trained trained) : IClassFixture<TokenizerTests.Trained>
{
    private readonly ChatFormat _chat = ChatFormat.For(trained.Tokenizer);

    /// <summary>The built-in tokenizer has no chat template: chat lines get the default format.</summary>
    [Fact]
    public void Instruction_jsonl_accepts_prompt_response_and_chat_messages()
    {
        using var temp = new TempFolder();
        var path = temp.File("ift.jsonl",
            "{\"prompt\": \"Add 2 and 3.\", \"response\": \"5\"}\n\n" +
            "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": \"Hello!\"}]}\n");
        var examples = new UserDataReader([temp.Path]).ReadInstructionJsonl(path, _chat);
        Assert.Equal([new TextSegment("Add 2 and 3.", false), new TextSegment("5", true)], examples[0].Segments);
        Assert.True(examples[0].Framed);
        Assert.Equal([new TextSegment("<s>### User:\nHi\n### Assistant:\n", false), new TextSegment("Hello!</s>", true)], examples[1].Segments);
        Assert.False(examples[1].Framed);
        Assert.Equal("ift.jsonl:3", examples[1].Id);
    }

    [Fact]
    public void Text_folders_and_text_jsonl_are_read_in_a_stable_order()
    {
        using var temp = new TempFolder();
        temp.File("corpus/b.txt", "Second.");
        temp.File("corpus/a/c.md", "First.");
        temp.File("corpus/skip.bin", "x");
        var reader = new UserDataReader([temp.Path]);
        Assert.Equal(["a/c.md", "b.txt"], reader.ReadTextFolder(Path.Combine(temp.Path, "corpus")).Select(d => d.Id));
        Assert.Equal("héllo", reader.ReadTextJsonl(temp.File("t.jsonl", "{\"text\": \"héllo\"}")).Single().Text);
    }

    [Theory]
    [InlineData("{\"prompt\": \"a\", \"response\": \"b\"}\n{\"prompt\": \"a\"", 2, null, "malformed JSON")]
    [InlineData("{\"prompt\": \"a\"}", 1, "response", "missing")]
    [InlineData("{\"prompt\": 3, \"response\": \"b\"}", 1, "prompt", "expected a string")]
    [InlineData("[1, 2]", 1, null, "expected a JSON object")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"user\", \"content\": \"b\"}]}", 1, "messages", "no assistant reply")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}, {\"content\": \"b\"}]}", 1, "messages[1].role", "missing")]
    [InlineData("{\"messages\": []}", 1, "messages", "is empty")]
    [InlineData("\n\n", 0, null, "no JSON lines")]
    public void Bad_instruction_lines_name_file_line_and_field(string content, int line, string? field, string problem)
    {
        using var temp = new TempFolder();
        var path = temp.File("bad.jsonl", content);
        var error = Assert.Throws<DataFormatException>(() => new UserDataReader([temp.Path]).ReadInstructionJsonl(path, _chat));
        Assert.Equal((path, line, field), (error.File, error.Line, error.Field));
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void Non_utf8_bytes_are_reported_with_their_line()
    {
        using var temp = new TempFolder();
        var path = Path.Combine(temp.Path, "latin1.jsonl");
        File.WriteAllBytes(path, [.. "{\"text\": \"ok\"}\n"u8.ToArray(), .. "{\"text\": \"caf"u8.ToArray(), 0xE9, .. "\"}\n"u8.ToArray()]);
        var error = Assert.Throws<DataFormatException>(() => new UserDataReader([temp.Path]).ReadTextJsonl(path));
        Assert.Equal(2, error.Line);
        Assert.Contains("not valid UTF-8 at byte offset 28 (line 2, column 14)", error.Message);
    }

    [Fact]
    public void Empty_files_and_paths_outside_the_allowed_roots_are_refused()
    {
        using var allowed = new TempFolder();
        using var other = new TempFolder();
        var empty = allowed.File("empty.jsonl", "");
        Assert.Contains("empty", Assert.Throws<DataFormatException>(() => new UserDataReader([allowed.Path]).ReadTextJsonl(empty)).Message);
        var outside = other.File("x.jsonl", "{\"text\": \"a\"}");
        Assert.Contains("outside", Assert.Throws<DataFormatException>(() => new UserDataReader([allowed.Path]).ReadTextJsonl(outside)).Message);
        Assert.Contains("outside", Assert.Throws<DataFormatException>(() => new UserDataReader([allowed.Path]).ReadTextJsonl(Path.Combine(allowed.Path, "..", "escape.jsonl"))).Message);
        Directory.CreateSymbolicLink(Path.Combine(allowed.Path, "link"), other.Path);
        Assert.Contains("symlink", Assert.Throws<DataFormatException>(() => new UserDataReader([allowed.Path]).ReadTextJsonl(Path.Combine(allowed.Path, "link", "x.jsonl"))).Message);
    }

    [Fact]
    public void Task_files_round_trip_and_validate_labels()
    {
        using var temp = new TempFolder();
        var mc = Path.Combine(temp.Path, "mc.jsonl");
        TaskFile.Write(mc, [new MultipleChoiceItem("The sky is", [" blue", " green"], 0)]);
        var item = TaskFile.ReadMultipleChoice(mc).Single();
        Assert.Equal(("The sky is", 0), (item.Context, item.Label));
        Assert.Equal([" blue", " green"], item.Choices);
        var bad = temp.File("bad.jsonl", "{\"context\": \"c\", \"choices\": [\"a\", \"b\"], \"label\": 2}");
        Assert.Equal("label", Assert.Throws<DataFormatException>(() => TaskFile.ReadMultipleChoice(bad)).Field);
        var gen = temp.File("gen.jsonl", "{\"prompt\": \"2+2=\", \"answer\": \"4\", \"stop\": [\"\\n\"]}");
        Assert.Equal(new GenerationItem("2+2=", "4", ["\n"]).Stop, TaskFile.ReadGeneration(gen).Single().Stop);
        var identified = temp.File("ids.jsonl", "{\"prompt\": \"p\", \"answer\": \"a\", \"id\": \"q1\", \"source_id\": \"doc-7\"}");
        Assert.Equal(("q1", "doc-7"), TaskFile.ReadGeneration(identified).Select(i => (i.Id, i.SourceId)).Single());
        var numeric = temp.File("numeric.jsonl", "{\"context\": \"c\", \"choices\": [\"a\", \"b\"], \"label\": 0, \"source_id\": 7}");
        Assert.Equal("source_id", Assert.Throws<DataFormatException>(() => TaskFile.ReadMultipleChoice(numeric)).Field);
    }
}
