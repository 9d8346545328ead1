using Pipeline.Data.Tokenization;

namespace Pipeline.Data.Tests;

public class TokenizerTests : IClassFixture<TokenizerTests.Trained>
{
    public sealed class Trained : IDisposable
    {
        public readonly TempFolder Folder = new();
        public readonly BpeModel Model;
        public readonly TextTokenizer Tokenizer;

        public Trained()
        {
            var texts = Enumerable.Range(0, 40).Select(i =>
                $"It is a truth universally acknowledged, number {i}.\n" +
                $"def f_{i}(x):\n    \"\"\"Return x plus {i}.\"\"\"\n    return x + {i}\n" +
                $"Tom has {i * 3} apples. He gives {i} away. #### {i * 2}\n").ToList();
            Model = BpeTrainer.Train(texts, vocabSize: 330);
            HuggingFaceTokenizerFile.Save(Model, Folder.Path);
            Tokenizer = TextTokenizer.Load(Folder.Path);
        }

        public void Dispose() => Folder.Dispose();
    }

    private static readonly string[] Samples =
    [
        "It is a truth universally acknowledged.",
        "def f(x):\n    \"\"\"Doc.\"\"\"\n\treturn   x  + 1\n\n\n",
        "Café naïve — 東京 😀 Ünïcödé ‘quotes’",
        "  leading and trailing spaces  ",
        "",
    ];

    private readonly Trained _trained;

    public TokenizerTests(Trained trained) => _trained = trained;

    [Fact]
    public void Trainer_reaches_the_requested_vocab_with_the_special_tokens_first()
    {
        Assert.Equal(330, _trained.Model.VocabSize);
        Assert.Equal(330, _trained.Tokenizer.VocabSize);
        Assert.Equal((0, 1, 2), (_trained.Tokenizer.BosId, _trained.Tokenizer.EosId, _trained.Tokenizer.PadId!.Value));
        Assert.Equal(["<s>", "</s>", "<pad>"], _trained.Model.Tokens.Take(3));
    }

    [Theory]
    [MemberData(nameof(SampleData))]
    public void Hugging_Face_tokenizers_give_the_trainer_encoder_ids_and_round_trip_exactly(string text)
    {
        var ids = _trained.Tokenizer.Encode(text);
        Assert.Equal(_trained.Model.Encode(text), ids);
        Assert.Equal(text, _trained.Tokenizer.Decode(ids));
        Assert.DoesNotContain(ids, id => id < 3);
    }

    public static TheoryData<string> SampleData() => new(Samples);

    /// <summary>As in every Hugging Face tokenizer, added special tokens written in the text are split out whole.</summary>
    [Fact]
    public void Special_tokens_inside_text_become_their_ids()
    {
        var tokenizer = _trained.Tokenizer;
        var ids = tokenizer.Encode("<s>It is</s><pad>");
        Assert.Equal([SpecialTokens.BosId, .. _trained.Model.Encode("It is"), SpecialTokens.EosId, SpecialTokens.PadId], ids);
        Assert.Equal("<s>It is</s><pad>", tokenizer.Decode(ids));
        Assert.Equal("It is", tokenizer.Decode(ids, skipSpecialTokens: true));
        Assert.Equal(["<s>", .. _trained.Model.Encode("It is").Select(id => _trained.Model.Tokens[id]), "</s>", "<pad>"], tokenizer.Tokens(ids));
        Assert.Contains("Ġis", tokenizer.Tokens(ids).Last(t => t.EndsWith('s')));
    }

    [Fact]
    public void Merges_compress_text_seen_in_training()
    {
        var text = "It is a truth universally acknowledged";
        Assert.True(_trained.Tokenizer.Encode(text).Length < text.Length / 2);
    }

    [Fact]
    public void Training_is_deterministic()
    {
        var texts = new[] { "aaa bbb aaa ccc aaa bbb", "the theme then there" };
        Assert.Equal(BpeTrainer.Train(texts, 280).Merges, BpeTrainer.Train(texts, 280).Merges);
    }

    [Fact]
    public void Tokenizer_json_has_the_hugging_face_shape()
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(_trained.Folder.Path, "tokenizer.json")))!;
        Assert.Equal("BPE", (string)json["model"]!["type"]!);
        Assert.Equal("ByteLevel", (string)json["pre_tokenizer"]!["type"]!);
        Assert.Equal("ByteLevel", (string)json["decoder"]!["type"]!);
        Assert.Equal("<s>", (string)json["added_tokens"]![0]!["content"]!);
        Assert.Equal(330 - BpeModel.FirstMergeId, json["model"]!["merges"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("{\"model\": {\"type\": \"NoSuchModel\", \"vocab\": {}}}", null)]
    [InlineData("{\"model\": {\"type\": \"BPE\", \"vocab\": {}, \"merges\": []}, \"added_tokens\": [{\"id\": 0}]}", "added_tokens[0].content")]
    [InlineData("{\"model\": {\"type\": \"BPE\", \"merges\": []}, \"pre_tokenizer\": {\"type\": \"ByteLevel\"}}", "model.vocab")]
    [InlineData("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": \"x\"}, \"merges\": []}, \"pre_tokenizer\": {\"type\": \"ByteLevel\"}}", "model.vocab[\"a\"]")]
    [InlineData("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [7]}, \"pre_tokenizer\": {\"type\": \"ByteLevel\"}}", null)]
    [InlineData("{\"model\": ", null)]
    public void Malformed_tokenizer_json_names_the_file_and_field(string json, string? field)
    {
        using var folder = new TempFolder();
        var path = folder.File("tokenizer.json", json);
        var error = Assert.Throws<DataFormatException>(() => TextTokenizer.Load(folder.Path));
        Assert.Contains(path, error.Message);
        if (field is not null) Assert.Equal(field, error.Field);
    }

    [Fact]
    public void On_real_prose_and_code_both_encoders_agree_and_round_trip()
    {
        var bundle = Pipeline.Data.Corpora.CorpusBundle.Open();
        var austen = bundle.Read("austen");
        var python = bundle.Read("python-stdlib");
        var training = austen.Take(8).Concat(python.Take(12)).Select(d => d.Text).ToList();
        var model = BpeTrainer.Train(training, vocabSize: 700);
        using var folder = new TempFolder();
        HuggingFaceTokenizerFile.Save(model, folder.Path);
        var tokenizer = TextTokenizer.Load(folder.Path);
        foreach (var document in austen.Skip(200).Take(2).Concat(python.Skip(300).Take(4)).Concat(bundle.Read("moby-dick").Take(2)))
        {
            var ids = tokenizer.Encode(document.Text);
            Assert.Equal(model.Encode(document.Text), ids);
            Assert.Equal(document.Text, tokenizer.Decode(ids));
        }
    }
}
