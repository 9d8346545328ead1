using System.Text.RegularExpressions;
using Pipeline.Data.Corpora;
using Pipeline.Data.Corpora.Code;
using Pipeline.Data.Datasets;

namespace Pipeline.Data.Tasks;

/// <summary>The built-in evaluation sets, all drawn from test-split documents only (the same split the datasets use).</summary>
public static partial class BuiltInTasks
{
    public const int Seed = 1234;
    private const int MinContinuationWords = 6, MaxContinuationWords = 40, ContextSentences = 3, ItemsPerDocument = 12;

    [GeneratedRegex(@"(?<=[.!?][""']?)\s+(?=[""']?[A-Z])")]
    private static partial Regex SentenceBreak();

    /// <summary>Held-out documents of a domain for perplexity and bits per byte.</summary>
    public static IReadOnlyList<PerplexityDocument> Perplexity(CorpusBundle bundle, string domain, MathCorpusSettings? math = null, int maxDocuments = 500) =>
        BuiltInCorpora.Documents(bundle, domain, math)
            .Where(IsHeldOut)
            .Take(maxDocuments)
            .Select(d => new PerplexityDocument(d.Id, d.Text))
            .ToList();

    /// <summary>HellaSwag-style forgetting set: a passage of three sentences, its true next sentence and three next
    /// sentences from other held-out documents. Choices carry their leading space, so context + choice is the scored text.</summary>
    public static IReadOnlyList<MultipleChoiceItem> SourceMultipleChoice(CorpusBundle bundle)
    {
        var documents = bundle.ReadDomain(Domains.Source).Where(IsHeldOut)
            .Select(d => Sentences(d.Text))
            .Where(s => s.Count > ContextSentences + 1)
            .ToList();
        var endings = documents.Select(d => d.Where(IsEnding).ToList()).ToList();
        var random = SplitMix64.From(Seed);
        var items = new List<MultipleChoiceItem>();
        for (var doc = 0; doc < documents.Count; doc++)
        {
            var sentences = documents[doc];
            var step = System.Math.Max(1, (sentences.Count - ContextSentences) / ItemsPerDocument);
            for (var at = ContextSentences; at < sentences.Count; at += step)
            {
                if (!IsEnding(sentences[at])) continue;
                var context = string.Join(' ', sentences[(at - ContextSentences)..at]);
                var choices = new List<string> { " " + sentences[at] };
                while (choices.Count < 4)
                {
                    var other = random.Next(documents.Count);
                    if (other == doc || endings[other].Count == 0) continue;
                    var ending = " " + random.Pick(endings[other]);
                    if (!choices.Contains(ending)) choices.Add(ending);
                }
                var shuffled = choices.ToArray();
                random.Shuffle(shuffled);
                items.Add(new MultipleChoiceItem(context, shuffled, Array.IndexOf(shuffled, choices[0])));
            }
        }
        return items;
    }

    /// <summary>Held-out SYNTHETIC math problems scored on the final `#### n` (GSM8K strict match); none has a question
    /// that also occurs among the training problems.</summary>
    public static IReadOnlyList<GenerationItem> MathGeneration(MathCorpusSettings? math = null, int maxItems = 500)
    {
        var problems = BuiltInCorpora.MathProblems(math).ToList();
        var trained = problems.Where(p => !IsHeldOut(p.Id)).Select(p => p.Question).ToHashSet();
        return problems.Where(p => IsHeldOut(p.Id) && !trained.Contains(p.Question))
            .Take(maxItems)
            .Select(p => new GenerationItem(p.Question + "\n", p.Answer.ToString(), ["\n\n", "Question:"]))
            .ToList();
    }

    /// <summary>Held-out stdlib functions: from the docstring, write the first line of the body (exact match; the
    /// evaluator also scores the response loss). Prompts also found in training modules are dropped.</summary>
    public static IReadOnlyList<GenerationItem> CodeGeneration(CorpusBundle bundle, int maxItems = 500)
    {
        var functions = BuiltInCorpora.Instructions(bundle, Domains.Code);
        var trained = functions.Where(f => !IsHeldOut(f.GroupId)).Select(f => f.Prompt).ToHashSet();
        return functions.Where(f => IsHeldOut(f.GroupId) && !trained.Contains(f.Prompt))
            .Take(maxItems)
            .Select(f => new GenerationItem(f.Prompt, FunctionExtractor.FirstBodyLine(f), ["\n"]))
            .ToList();
    }

    /// <summary>Writes every built-in set as JSONL into a folder and returns the file names.</summary>
    public static IReadOnlyList<string> WriteAll(string directory, CorpusBundle bundle, MathCorpusSettings? math = null)
    {
        Directory.CreateDirectory(directory);
        var files = new List<string>();
        void Write<T>(string name, IReadOnlyList<T> items)
        {
            TaskFile.Write(Path.Combine(directory, name), items);
            files.Add(name);
        }
        foreach (var domain in Domains.All)
            Write($"perplexity-{domain}.jsonl", Perplexity(bundle, domain, math));
        Write("multiple-choice-source.jsonl", SourceMultipleChoice(bundle));
        Write("generation-math.jsonl", MathGeneration(math));
        Write("generation-code.jsonl", CodeGeneration(bundle));
        return files;
    }

    private static bool IsHeldOut(CorpusDocument document) => IsHeldOut(document.Id);

    private static bool IsHeldOut(string id) => DocumentSplits.Assign(id, SplitFractions.Default) == DocumentSplits.Test;

    private static List<string> Sentences(string text) =>
        SentenceBreak().Split(Regex.Replace(text, @"\s+", " ").Trim()).Where(s => s.Length > 0).ToList();

    private static bool IsEnding(string sentence)
    {
        var words = sentence.Split(' ').Length;
        return words is >= MinContinuationWords and <= MaxContinuationWords;
    }
}
