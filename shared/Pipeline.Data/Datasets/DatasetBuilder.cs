using System.Text;
using System.Text.Json;
using Pipeline.Data.Artifacts;
using Pipeline.Data.Corpora;
using Pipeline.Data.Corpora.Code;
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
                ? AsExamples(BuiltInCorpora.Documents(bundle, spec.Domain, math))
                : BuiltInCorpora.Instructions(bundle, spec.Domain, math));
    }

    /// <summary>CPT documents in the builder's input shape: an empty prompt, the document as the response, its own group.</summary>
    public static IReadOnlyList<InstructionExample> AsExamples(IEnumerable<CorpusDocument> documents) =>
        documents.Select(d => new InstructionExample(d.Id, d.Id, "", d.Text)).ToList();

    /// <summary>The `sourcesHash` for data that has no manifest (a user's files): the hash of the examples themselves.</summary>
    public static string ContentHash(IEnumerable<InstructionExample> examples) =>
        Hashing.Sha256Hex(string.Concat(examples.Select(e => JsonSerializer.Serialize(e, DataJson.Options) + "\n")));

    /// <summary>The general form, also used for user data: `examples` is called only on a cache miss. CPT documents
    /// are examples with an empty prompt; the split of each comes from its GroupId.</summary>
    public static string GetOrBuild(ArtifactStore store, string tokenizerDirectory, string regime, string domain, string sourcesHash,
        SplitFractions splits, Func<IReadOnlyList<InstructionExample>> examples)
    {
        Regimes.Validate(regime);
        splits.Validate();
        var tokenizerHash = BuiltInTokenizer.Hash(tokenizerDirectory);
        var key = ContentKey.Of("datasets", new { format = 1, regime, domain, sourcesHash, tokenizerHash, splits });
        return store.GetOrCreate(key, directory =>
        {
            var tokenizer = TextTokenizer.Load(tokenizerDirectory);
            var info = Write(directory, tokenizer, tokenizerHash, regime, domain, sourcesHash, splits, examples());
            Log.Information("Built {Regime} dataset {Key} for {Domain}: {Splits}", regime, key, domain,
                string.Join(", ", info.Splits.Select(s => $"{s.Key} {s.Value.Documents} docs / {s.Value.Tokens} tokens")));
        });
    }

    private static DatasetInfo Write(string directory, TextTokenizer tokenizer, string tokenizerHash, string regime, string domain,
        string sourcesHash, SplitFractions splits, IReadOnlyList<InstructionExample> examples)
    {
        var tokenBytes = tokenizer.VocabSize <= ushort.MaxValue + 1 ? 2 : 4;
        var tokenized = examples.AsParallel().AsOrdered()
            .Select(e => (Split: DocumentSplits.Assign(e.GroupId, splits), Tokens: Tokenize(tokenizer, e),
                Bytes: (long)Encoding.UTF8.GetByteCount(e.Prompt) + Encoding.UTF8.GetByteCount(e.Response)))
            .Where(t => t.Tokens.Ids.Length > t.Tokens.Prompt)
            .ToList();
        var stats = new Dictionary<string, SplitStats>();
        foreach (var name in DocumentSplits.Names)
        {
            var documents = tokenized.Where(t => t.Split == name).ToList();
            TokenSplit.Write(directory, name, documents.Select(d => (d.Tokens.Ids, d.Tokens.Prompt)).ToList(), tokenBytes);
            stats[name] = new SplitStats(documents.Count, documents.Sum(d => d.Bytes), documents.Sum(d => (long)d.Tokens.Ids.Length));
        }
        var info = new DatasetInfo(1, regime, domain, sourcesHash, tokenizer.VocabSize, tokenizer.BosId, tokenizer.EosId, tokenBytes, tokenizerHash, stats);
        File.WriteAllText(Path.Combine(directory, DatasetInfo.FileName), JsonSerializer.Serialize(info, DataJson.Indented));
        return info;
    }

    private static (int[] Ids, int Prompt) Tokenize(TextTokenizer tokenizer, InstructionExample example)
    {
        var prompt = example.Prompt.Length == 0 ? [] : tokenizer.Encode(example.Prompt);
        return ([.. prompt, .. tokenizer.Encode(example.Response)], prompt.Length);
    }
}
