using Pipeline.Data.Tokenization;
using Pipeline.ML.Checkpoints;
using Pipeline.ML.Modeling;

namespace Pipeline.Workflow.Tests.Flow;

/// <summary>Bad input makes `pipeline` exit non-zero with one line on stderr that names the file: not wrapped at 80
/// columns when stderr is a pipe (a log), and no stack trace.</summary>
public sealed class CliErrorTests : IDisposable
{
    private static readonly Dictionary<string, string?> NoServers = new();
    private readonly string _model = Path.Combine(Path.GetTempPath(), "pipeline-cli-errors", Guid.NewGuid().ToString("N"), "a-model-folder-with-a-long-name-so-that-the-message-passes-eighty-columns");

    public CliErrorTests()
    {
        using var model = new LlamaForCausalLM(new LlamaConfig
        {
            VocabSize = 280, HiddenSize = 16, IntermediateSize = 32, NumHiddenLayers = 1,
            NumAttentionHeads = 2, NumKeyValueHeads = 2, MaxPositionEmbeddings = 32,
        });
        HfModelDirectory.Save(model, _model);
        var texts = Enumerable.Range(0, 20).Select(i => $"The cat sat on mat {i}.").ToList();
        HuggingFaceTokenizerFile.Save(BpeTrainer.Train(texts, vocabSize: 280), _model);
        File.WriteAllText(Path.Combine(_model, "text.txt"), "The cat sat.");
    }

    [Fact]
    public async Task Safetensors_with_bytes_that_belong_to_no_tensor()
    {
        await File.AppendAllTextAsync(Path.Combine(_model, "model.safetensors"), "x");
        await AssertOneLineError(["score", "--model", _model, "--input", Path.Combine(_model, "text.txt")], "model.safetensors", "every byte must belong to exactly one tensor");
    }

    [Fact]
    public async Task Text_input_that_is_not_utf8()
    {
        var input = Path.Combine(_model, "bad.txt");
        await File.WriteAllBytesAsync(input, [(byte)'a', (byte)'b', 0xC3, (byte)'(']);
        await AssertOneLineError(["tokenize", "--model", _model, "--input", input], "bad.txt", "byte offset 2");
    }

    [Fact]
    public async Task A_tokenizer_json_that_is_not_json()
    {
        await File.WriteAllTextAsync(Path.Combine(_model, "tokenizer.json"), "{\"model\": ");
        await AssertOneLineError(["tokenize", "--model", _model, "--input", Path.Combine(_model, "text.txt")], "tokenizer.json", "not valid JSON");
    }

    private static async Task AssertOneLineError(string[] arguments, string file, string problem)
    {
        var (exitCode, output, errors) = await PipelineCli.RunSeparatelyAsync(NoServers, arguments);
        Assert.NotEqual(0, exitCode);
        Assert.Equal("", output);
        var line = Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("Error: ", line);
        Assert.Contains(file, line);
        Assert.Contains(problem, line);
        Assert.True(line.Length > 80, line);
        Assert.DoesNotContain(" at Pipeline.", line);
    }

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_model)!, recursive: true);
}
