using System.Diagnostics;
using Pipeline.Data.Artifacts;
using Pipeline.Data.Corpora;
using Pipeline.Data.Datasets;
using Serilog;

namespace Pipeline.Data.Tokenization;

/// <summary>The tokenizer for built-in models. Stated training mix: the train split of every source-domain document
/// (SOTU, Moby Dick, Austen) and of every code document (Python stdlib), plus `MathProblems` synthetic math problems as
/// running text — so all three domains have their own merges. Held-out documents never shape the vocabulary.</summary>
public sealed record TokenizerSpec(int VocabSize = BpeTrainer.DefaultVocabSize, int MathProblems = 5_000, int MathSeed = 1234)
{
    public static readonly TokenizerSpec Default = new();
}

public static class BuiltInTokenizer
{
    public static IReadOnlyList<string> TrainingTexts(CorpusBundle bundle, TokenizerSpec spec) =>
        Domains.All
            .SelectMany(d => BuiltInCorpora.Documents(bundle, d, new MathCorpusSettings(spec.MathProblems, spec.MathSeed)))
            .Where(d => DocumentSplits.Assign(d.Id, SplitFractions.Default) == DocumentSplits.Train)
            .Select(d => d.Text)
            .ToList();

    /// <summary>Trains (or reuses from the store) the tokenizer and returns its model folder.</summary>
    public static string GetOrTrain(ArtifactStore store, CorpusBundle bundle, TokenizerSpec? spec = null)
    {
        spec ??= TokenizerSpec.Default;
        var sources = Domains.All.ToDictionary(d => d, d => BuiltInCorpora.ContentHash(bundle, d, new MathCorpusSettings(spec.MathProblems, spec.MathSeed)));
        var key = ContentKey.Of("tokenizers", new { trainer = "byte-level-bpe/1", spec, sources, splits = SplitFractions.Default });
        return store.GetOrCreate(key, directory =>
        {
            var stopwatch = Stopwatch.StartNew();
            var texts = TrainingTexts(bundle, spec);
            var model = BpeTrainer.Train(texts, spec.VocabSize);
            HuggingFaceTokenizerFile.Save(model, directory);
            Log.Information("Tokenizer trained on {Documents} documents ({Chars} chars) in {Seconds:F1} s",
                texts.Count, texts.Sum(t => (long)t.Length), stopwatch.Elapsed.TotalSeconds);
        });
    }

    /// <summary>A tokenizer's identity for dataset keys: the hash of its tokenizer.json (or tokenizer.model).</summary>
    public static string Hash(string modelDirectory)
    {
        var json = Path.Combine(modelDirectory, HuggingFaceTokenizerFile.TokenizerJson);
        return Hashing.Sha256OfFile(File.Exists(json) ? json : Path.Combine(modelDirectory, "tokenizer.model"));
    }
}
