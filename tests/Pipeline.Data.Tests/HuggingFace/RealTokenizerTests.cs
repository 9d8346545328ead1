using System.Text.Json.Nodes;
using Pipeline.Data.Tokenization;

namespace Pipeline.Data.Tests.HuggingFace;

/// <summary>Real models' tokenizer files give exactly Hugging Face's ids, tokens and decodes, as HF's own
/// `tokenizers` library (run in Node beside the test) computes them, on texts that stress every part of a tokenizer
/// (tests/hf-reference/texts.mjs).</summary>
public class RealTokenizerTests
{
    public static readonly TheoryData<string> Models = new(HfReference.Models.Keys);

    [Theory]
    [MemberData(nameof(Models))]
    public void Ids_tokens_and_decodes_equal_hugging_face_tokenizers(string model) =>
        AssertSameAsHuggingFace(HfReference.ModelFolder(model), model);

    /// <summary>The model types no real file here has: WordPiece (BERT's normalizer, pre-tokenizer, post-processor
    /// and decoder) and Unigram (Metaspace), written by hand.</summary>
    [Theory]
    [InlineData("wordpiece")]
    [InlineData("unigram")]
    public void Wordpiece_and_unigram_files_equal_hugging_face_tokenizers(string kind)
    {
        using var folder = new TempFolder();
        folder.File("tokenizer.json", (kind == "wordpiece" ? CraftedTokenizers.WordPiece() : CraftedTokenizers.Unigram()).ToJsonString());
        folder.File("tokenizer_config.json", kind == "wordpiece"
            ? "{\"bos_token\": \"[CLS]\", \"eos_token\": \"[SEP]\"}"
            : "{\"bos_token\": \"<s>\", \"eos_token\": \"</s>\"}");
        AssertSameAsHuggingFace(folder.Path, kind, unknown: kind == "unigram" ? 0 : -1);
    }

    /// <param name="unknown">A Unigram model's unk id: HF's token there is the unknown text itself, which the Rust
    /// binding does not return (it gives ids only), so ours is the vocabulary's "&lt;unk&gt;". Ids are equal all the same.</param>
    private static void AssertSameAsHuggingFace(string folder, string model, int unknown = -1)
    {
        var tokenizer = TextTokenizer.Load(folder);
        var answer = HfReference.Run("tokenize.mjs", new JsonObject { ["tokenizer"] = Path.Combine(folder, "tokenizer.json") });
        var texts = Strings(answer["texts"]).ToList(); // tests/hf-reference/texts.mjs: texts.json and every special token
        var reference = answer["results"]!.AsArray();
        for (var i = 0; i < texts.Count; i++)
        {
            var expected = reference[i]!;
            var ids = tokenizer.Encode(texts[i]);
            var withSpecialTokens = tokenizer.Encode(texts[i], addSpecialTokens: true);
            var because = $"{model}, text {i}: {Json(texts[i])}";
            Assert.True(Ints(expected["ids"]).SequenceEqual(ids), because);
            Assert.True(Strings(expected["tokens"]).Select((t, k) => ids[k] == unknown ? "<unk>" : t).SequenceEqual(tokenizer.Tokens(ids)), because);
            Assert.True(Ints(expected["ids_with_special_tokens"]).SequenceEqual(withSpecialTokens), because);
            Assert.Equal((string)expected["decoded"]!, tokenizer.Decode(ids));
            Assert.Equal((string)expected["decoded_skipping_special_tokens"]!, tokenizer.Decode(withSpecialTokens, skipSpecialTokens: true));
        }
    }

    [Theory]
    [InlineData("llama3", "<|begin_of_text|>", "<|end_of_text|>", "<|begin_of_text|>")]
    [InlineData("qwen3", null, "<|im_end|>", "<|im_end|>")]
    [InlineData("gemma3", "<bos>", "<end_of_turn>", "<bos>")]
    public void Special_token_ids_come_from_tokenizer_config(string model, string? bos, string eos, string prefix)
    {
        var tokenizer = TextTokenizer.Load(HfReference.ModelFolder(model));
        Assert.Equal(bos, tokenizer.Config.BosToken);
        Assert.Equal([eos], tokenizer.Tokens([tokenizer.EosId]));
        Assert.Equal([prefix], tokenizer.Tokens([tokenizer.BosId])); // without a BOS, sequences start with EOS (lm-eval)
        Assert.NotNull(tokenizer.Config.ChatTemplate);
    }

    private static IEnumerable<int> Ints(JsonNode? array) => array!.AsArray().Select(n => (int)n!);

    private static IEnumerable<string> Strings(JsonNode? array) => array!.AsArray().Select(n => (string)n!);

    private static string Json(string text) => JsonValue.Create(text).ToJsonString();
}
