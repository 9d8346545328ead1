using System.Text.Json;
using Pipeline.Data.Artifacts;
using Pipeline.Data.Corpora;
using Pipeline.Data.Tokenization;
using Serilog;

namespace Pipeline.Data.Datasets;

/// <summary>What to build from the built-in corpora: a domain (source, code, math) in a regime (cpt, ift).</summary>
public sealed record DatasetSpec(string Domain, string Regime, MathCorpusSettings? Math = null, SplitFractions? Splits = null);

/// <summary>Tokenizes documents into a dataset in the artifact store, keyed by the hash of (sources, tokenizer,
/// settings), so a repeated request returns the stored dataset without rebuilding it.</summary>
public static class DatasetBuilder
{
    public static string GetOrBuild(ArtifactStore store, CorpusBundle bundle, string tokenizerDirectory, DatasetSpec spec)
    {
        var math = spec.Math ?? MathCorpusSettings.Default;
        var sources = BuiltInCorpora.ContentHash(bundle, spec.Domain, math);
        return GetOrBuild(store, tokenizerDirectory, spec.Regime, spec.Domain, sources, spec.Splits ?? SplitFractions.Default,
            () => Regimes.Validate(spec.Regime) == Regimes.Cpt
                ? BuiltInCorpora.Documents(bundle, spec.Domain, math).Select(TrainingExample.Document).ToList()
                : BuiltInCorpora.Instructions(bundle, spec.Domain, math).Select(TrainingExample.Instruction).ToList());
    }

    /// <summary>The `sourcesHash` for data that has no manifest (a user's files): the hash of the examples themselves.</summary>
    public static string ContentHash(IEnumerable<TrainingExample> examples) =>
        Hashing.Sha256Hex(string.Concat(examples.Select(e => JsonSerializer.Serialize(e, DataJson.Options) + "\n")));

    /// <summary>The general form, also used for user data: `examples` is called only on a cache miss. The split of
    /// each example comes from its GroupId.</summary>
    public static string GetOrBuild(ArtifactStore store, string tokenizerDirectory, string regime, string domain, string sourcesHash,
        SplitFractions splits, Func<IReadOnlyList<TrainingExample>> examples)
    {
        Regimes.Validate(regime);
        splits.Validate();
        var tokenizerHash = BuiltInTokenizer.Hash(tokenizerDirectory);
        var key = ContentKey.Of("datasets", new { format = DatasetInfo.CurrentFormat, regime, domain, sourcesHash, tokenizerHash, splits });
        return store.GetOrCreate(key, directory =>
        {
            var tokenizer = TextTokenizer.Load(tokenizerDirectory);
            var info = Write(directory, tokenizer, tokenizerHash, regime, domain, sourcesHash, splits, examples());
            Log.Information("Built {Regime} dataset {Key} for {Domain}: {Splits}", regime, key, domain,
                string.Join(", ", info.Splits.Select(s => $"{s.Key} {s.Value.Documents} docs / {s.Value.Tokens} tokens")));
        });
    }

    private static DatasetInfo Write(string directory, TextTokenizer tokenizer, string tokenizerHash, string regime, string domain,
        string sourcesHash, SplitFractions splits, IReadOnlyList<TrainingExample> examples)
    {
        var tokenBytes = tokenizer.VocabSize <= ushort.MaxValue + 1 ? 2 : 4;
        var tokenized = examples.AsParallel().AsOrdered()
            .Select(e => (Split: DocumentSplits.Assign(e.GroupId, splits), Document: Tokenize(tokenizer, e), Bytes: e.Utf8Bytes))
            .Where(t => t.Document.HasTrainedText)
            .ToList();
        var stats = new Dictionary<string, SplitStats>();
        foreach (var name in DocumentSplits.Names)
        {
            var documents = tokenized.Where(t => t.Split == name).ToList();
            TokenSplit.Write(directory, name, documents.Select(d => d.Document).ToList(), tokenBytes);
            stats[name] = new SplitStats(documents.Count, documents.Sum(d => d.Bytes), documents.Sum(d => (long)d.Document.Ids.Length));
        }
        var info = new DatasetInfo(DatasetInfo.CurrentFormat, regime, domain, sourcesHash, tokenizer.VocabSize, tokenizer.BosId, tokenizer.EosId, tokenBytes, tokenizerHash, stats);
        File.WriteAllText(Path.Combine(directory, DatasetInfo.FileName), JsonSerializer.Serialize(info, DataJson.Indented));
        return info;
    }

    /// <summary>Each segment tokenized on its own, so every token lies wholly in a trained segment or outside one.</summary>
    internal static TokenizedDocument Tokenize(TextTokenizer tokenizer, TrainingExample example)
    {
        var ids = new List<int>();
        var trained = new List<bool>();
        var trainedText = false;
        if (example.Framed) Add(tokenizer.BosId, false);
        foreach (var segment in example.Segments.Where(s => s.Text.Length > 0))
        {
            foreach (var id in tokenizer.Encode(segment.Text)) Add(id, segment.Trained);
            trainedText |= segment.Trained;
        }
        if (example.Framed) Add(tokenizer.EosId, true);
        return new TokenizedDocument(ids.ToArray(), trained.ToArray(), trainedText);

        void Add(int id, bool isTrained)
        {
            ids.Add(id);
            trained.Add(isTrained);
        }
    }
}
