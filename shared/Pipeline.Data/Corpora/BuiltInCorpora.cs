using Pipeline.Data.Corpora.Code;
using Pipeline.Data.Corpora.Math;

namespace Pipeline.Data.Corpora;

/// <summary>How many SYNTHETIC math problems the math domain holds, from which generator seed and difficulty.</summary>
public sealed record MathCorpusSettings(int Problems = 20_000, int Seed = 1234, MathDifficulty? Difficulty = null)
{
    public static readonly MathCorpusSettings Default = new();

    public MathProblemGenerator Generator() => new(Seed, Difficulty);
}

/// <summary>The documents of each built-in domain, for continued pretraining (CPT) and instruction finetuning (IFT).</summary>
public static class BuiltInCorpora
{
    /// <summary>CPT text: prose for `source`, stdlib modules for `code`, worked math solutions as running text for `math`.</summary>
    public static IReadOnlyList<CorpusDocument> Documents(CorpusBundle bundle, string domain, MathCorpusSettings? math = null) =>
        Domains.Validate(domain) == Domains.Math
            ? MathProblems(math).Select(p => new CorpusDocument(p.Id, p.AsRunningText())).ToList()
            : bundle.ReadDomain(domain);

    /// <summary>IFT pairs: docstring → body for `code` (Magicoder analogue), question → worked solution for `math`
    /// (MetaMathQA analogue). Duplicate prompts keep their first occurrence.</summary>
    public static IReadOnlyList<InstructionExample> Instructions(CorpusBundle bundle, string domain, MathCorpusSettings? math = null)
    {
        var examples = Domains.Validate(domain) switch
        {
            Domains.Code => bundle.ReadDomain(Domains.Code).SelectMany(FunctionExtractor.Extract),
            Domains.Math => MathProblems(math).Select(p => new InstructionExample(p.Id, p.Id, p.Question + "\n", p.Solution)),
            _ => throw new ArgumentException($"The {domain} domain has no instruction data; IFT targets are code and math."),
        };
        var seen = new HashSet<string>();
        return examples.Where(e => seen.Add(e.Prompt)).ToList();
    }

    public static IEnumerable<MathProblem> MathProblems(MathCorpusSettings? math = null)
    {
        math ??= MathCorpusSettings.Default;
        return math.Generator().Generate(math.Problems);
    }

    /// <summary>A hash of everything a domain's documents are made from: the bundle files or the generator settings.</summary>
    public static string ContentHash(CorpusBundle bundle, string domain, MathCorpusSettings? math = null) =>
        Domains.Validate(domain) == Domains.Math
            ? Hashing.Sha256Hex($"{MathProblemGenerator.SourceName}:{System.Text.Json.JsonSerializer.Serialize(math ?? MathCorpusSettings.Default, DataJson.Options)}")
            : Hashing.Sha256Hex(string.Join(",", bundle.SourcesOf(domain).Select(s => bundle.Manifest.Source(s).Bundle.ContentSha256)));
}
