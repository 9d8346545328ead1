using Pipeline.Data.Artifacts;
using Pipeline.Data.Corpora;
using Pipeline.Data.Corpora.Code;
using Pipeline.Data.Datasets;

namespace Pipeline.Data.Tasks;

/// <summary>The built-in evaluation sets, all drawn from test-split documents only (the same split the datasets use).</summary>
public static class BuiltInTasks
{
    public const int Seed = 1234;
    private const int MinContinuationWords = 6, MaxContinuationWords = 40, ContextSentences = 3, ItemsPerDocument = 12;

    /// <summary>Held-out documents of a domain for perplexity and bits per byte.</summary>
    public static IReadOnlyList<PerplexityDocument> Perplexity(CorpusBundle bundle, string domain, MathCorpusSettings? math = null, int maxDocuments = 500) =>
        BuiltInCorpora.Documents(bundle, domain, math)
            .Where(IsHeldOut)
            .Take(maxDocuments)
            .Select(d => new PerplexityDocument(d.Id, d.Text))
            .ToList();

    /// <summary>HellaSwag-style forgetting set: a passage of three sentences, its true next sentence and three next
    /// sentences from other held-out documents. Choices carry their leading space, so context + choice is the scored
    /// text. Passages sharing a sentence of 6+ words with a training document (SOTU repeats boilerplate) are skipped.</summary>
    public static IReadOnlyList<MultipleChoiceItem> SourceMultipleChoice(CorpusBundle bundle)
    {
        var source = bundle.ReadDomain(Domains.Source);
        var trained = source.Where(d => !IsHeldOut(d)).SelectMany(d => Sentences(d.Text)).Where(IsLong).ToHashSet();
        var heldOut = source.Where(IsHeldOut).Select(d => (d.Id, Sentences: Sentences(d.Text))).Where(d => d.Sentences.Count > ContextSentences + 1).ToList();
        var documents = heldOut.Select(d => d.Sentences).ToList();
        var endings = documents.Select(d => d.Where(IsEnding).ToList()).ToList();
        var random = SplitMix64.From(Seed);
        var items = new List<MultipleChoiceItem>();
        for (var doc = 0; doc < documents.Count; doc++)
        {
            var sentences = documents[doc];
            var step = System.Math.Max(1, (sentences.Count - ContextSentences) / ItemsPerDocument);
            for (var at = ContextSentences; at < sentences.Count; at += step)
            {
                var passage = sentences[(at - ContextSentences)..(at + 1)];
                if (!IsEnding(sentences[at]) || passage.Any(s => IsLong(s) && trained.Contains(s))) continue;
                items.Add(Item(string.Join(' ', passage.Take(ContextSentences)), sentences[at], doc, endings, ref random) with { SourceId = heldOut[doc].Id });
            }
        }
        return items;
    }

    private static MultipleChoiceItem Item(string context, string truth, int doc, List<List<string>> endings, ref SplitMix64 random)
    {
        var choices = new List<string> { " " + truth };
        while (choices.Count < 4)
        {
            var other = random.Next(endings.Count);
            if (other == doc || endings[other].Count == 0) continue;
            var ending = " " + random.Pick(endings[other]);
            if (!choices.Contains(ending)) choices.Add(ending);
        }
        var shuffled = choices.ToArray();
        random.Shuffle(shuffled);
        return new MultipleChoiceItem(context, shuffled, Array.IndexOf(shuffled, choices[0]));
    }

    /// <summary>Held-out SYNTHETIC math problems scored on the final `#### n` (GSM8K strict match); none has a question
    /// that also occurs among the training problems.</summary>
    public static IReadOnlyList<GenerationItem> MathGeneration(MathCorpusSettings? math = null, int maxItems = 500)
    {
        var problems = BuiltInCorpora.MathProblems(math).ToList();
        var trained = problems.Where(p => !IsHeldOut(p.Id)).Select(p => p.Question).ToHashSet();
        return problems.Where(p => IsHeldOut(p.Id) && !trained.Contains(p.Question))
            .Take(maxItems)
            .Select(p => new GenerationItem(p.Question + "\n", p.Answer.ToString(), ["\n\n", "Question:"], p.Id))
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
            .Select(f => new GenerationItem(f.Prompt, FunctionExtractor.FirstBodyLine(f), ["\n"], f.Id, f.GroupId))
            .ToList();
    }

    /// <summary>The built-in task sets as one artifact, written once per bundle and math settings; returns its key.</summary>
    public static string GetOrWrite(ArtifactStore store, CorpusBundle bundle, MathCorpusSettings? math = null)
    {
        var key = ContentKey.Of("tasks", new { format = 2, bundle = bundle.Manifest.Sources.Select(s => s.Bundle.ContentSha256), math });
        store.GetOrCreate(key, directory => WriteAll(directory, bundle, math));
        return key;
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

    /// <summary>Whitespace-normalised sentences: a break follows '.', '!' or '?' (and an optional closing quote) when
    /// whitespace and then a capital letter (or an opening quote) come next. One linear pass, no regex.</summary>
    internal static List<string> Sentences(string text)
    {
        var sentences = new List<string>();
        var current = new System.Text.StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                while (i + 1 < text.Length && char.IsWhiteSpace(text[i + 1])) i++;
                if (current.Length == 0) continue;
                if (EndsSentence(current) && i + 1 < text.Length && StartsSentence(text, i + 1))
                {
                    sentences.Add(current.ToString());
                    current.Clear();
                }
                else current.Append(' ');
                continue;
            }
            current.Append(text[i]);
        }
        if (current.Length > 0) sentences.Add(current.ToString().TrimEnd());
        return sentences;
    }

    private static bool EndsSentence(System.Text.StringBuilder sentence)
    {
        var last = sentence[^1] is '"' or '\'' or '”' or '’' && sentence.Length > 1 ? sentence[^2] : sentence[^1];
        return last is '.' or '!' or '?';
    }

    private static bool StartsSentence(string text, int at)
    {
        var first = text[at] is '"' or '\'' or '“' or '‘' && at + 1 < text.Length ? text[at + 1] : text[at];
        return char.IsUpper(first);
    }

    private static bool IsEnding(string sentence) => IsLong(sentence) && sentence.Split(' ').Length <= MaxContinuationWords;

    internal static bool IsLong(string sentence) => sentence.Split(' ').Length >= MinContinuationWords;
}
