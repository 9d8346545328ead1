using Pipeline.Data.Corpora;
using Pipeline.Data.Datasets;
using Pipeline.Data.Tasks;

namespace Pipeline.Data.Tests;

public class BuiltInTasksTests
{
    private static readonly CorpusBundle Bundle = CorpusBundle.Open();

    [Fact]
    public void Multiple_choice_has_500_items_from_held_out_documents_only()
    {
        var items = BuiltInTasks.SourceMultipleChoice(Bundle);
        Assert.True(items.Count >= 500, $"{items.Count} items");
        Assert.All(items, i => Assert.Equal(4, i.Choices.Distinct().Count()));
        string Json(IEnumerable<MultipleChoiceItem> set) => System.Text.Json.JsonSerializer.Serialize(set);
        Assert.Equal(Json(items), Json(BuiltInTasks.SourceMultipleChoice(Bundle)));
        var train = Bundle.ReadDomain(Domains.Source)
            .Where(d => DocumentSplits.Assign(d.Id, SplitFractions.Default) == DocumentSplits.Train)
            .SelectMany(d => BuiltInTasks.Sentences(d.Text)).Where(BuiltInTasks.IsLong).ToHashSet();
        Assert.DoesNotContain(items, i => train.Contains(i.Choices[i.Label].TrimStart()));
        Assert.DoesNotContain(items, i => BuiltInTasks.Sentences(i.Context).Any(train.Contains));
    }

    [Fact]
    public void Code_and_math_generation_sets_have_300_unseen_items()
    {
        var code = BuiltInTasks.CodeGeneration(Bundle);
        Assert.True(code.Count >= 300, $"{code.Count} code items");
        var trainPrompts = BuiltInCorpora.Instructions(Bundle, Domains.Code)
            .Where(f => DocumentSplits.Assign(f.GroupId, SplitFractions.Default) == DocumentSplits.Train)
            .Select(f => f.Prompt).ToHashSet();
        Assert.DoesNotContain(code, i => trainPrompts.Contains(i.Prompt));
        Assert.All(code, i => Assert.NotEmpty(i.Answer.Trim()));

        var math = BuiltInTasks.MathGeneration();
        Assert.True(math.Count >= 300, $"{math.Count} math items");
        Assert.All(math, i => Assert.Matches(@"^-?\d+$", i.Answer));
    }

    [Fact]
    public void Items_name_the_held_out_document_they_come_from_and_the_file_keeps_it()
    {
        var items = BuiltInTasks.SourceMultipleChoice(Bundle);
        var heldOut = Bundle.ReadDomain(Domains.Source)
            .Where(d => DocumentSplits.Assign(d.Id, SplitFractions.Default) == DocumentSplits.Test).Select(d => d.Id).ToHashSet();
        Assert.All(items, i => Assert.Contains(i.SourceId!, heldOut));
        Assert.True(items.Select(i => i.SourceId).Distinct().Count() < items.Count / 2, "several items share a source document");
        Assert.All(BuiltInTasks.CodeGeneration(Bundle), i => Assert.NotNull(i.SourceId));

        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "mc.jsonl");
        TaskFile.Write(path, items.Take(3));
        Assert.Contains("\"source_id\":", File.ReadAllText(path));
        Assert.Equal(items.Take(3).Select(i => i.SourceId), TaskFile.ReadMultipleChoice(path).Select(i => i.SourceId));
    }

    [Theory]
    [InlineData("short text", 20, "short text")]
    [InlineData("the quick brown fox", 12, "the quick")]
    [InlineData("abcdefghij", 4, "abcd")]
    public void A_perplexity_documents_lead_is_cut_at_a_word_boundary_within_the_limit(string text, int maxChars, string lead) =>
        Assert.Equal(lead, new PerplexityDocument("d", text).Leading(maxChars).Text);
}
