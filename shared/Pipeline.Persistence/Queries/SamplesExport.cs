using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Persistence.Rows;

namespace Pipeline.Persistence.Queries;

/// <summary>
/// Per-item records as lm-evaluation-harness's <c>--log_samples</c> writes them to <c>samples_&lt;task&gt;.jsonl</c>:
/// <c>doc_id</c>, <c>doc</c>, <c>target</c>, <c>resps</c>, <c>filtered_resps</c> and the item's metric fields
/// (<c>acc</c>, <c>exact_match,strict-match</c>, <c>bits_per_byte</c>, …), plus which checkpoint scored it
/// (<c>task</c>, <c>run</c>, <c>method</c>, <c>rank</c>, <c>seed</c>, <c>tokens</c>) and the item's
/// <c>item_id</c> and <c>source_id</c>.
/// </summary>
public static class SamplesExport
{
    public static string Line(SampleLine s) => Record(s).ToJsonString();

    public static JsonObject Record(SampleLine s)
    {
        var line = new JsonObject
        {
            ["doc_id"] = s.DocId,
            ["doc"] = JsonNode.Parse(s.DocJson),
            ["target"] = s.Target,
            ["resps"] = JsonNode.Parse(s.ResponsesJson),
            ["filtered_resps"] = JsonNode.Parse(s.FilteredResponsesJson),
        };
        foreach (var (field, value) in StoredJson.ReadValues(s.ValuesJson)) line[field] = value;
        line["task"] = s.Task;
        line["item_id"] = s.ItemId;
        line["source_id"] = s.SourceId;
        line["run"] = s.Run;
        line["method"] = s.Method;
        line["rank"] = s.Rank;
        line["seed"] = s.Seed;
        line["tokens"] = s.TokensSeen;
        return line;
    }

    /// <summary>lm-eval's layout, one folder per checkpoint: <c>&lt;run&gt;/&lt;tokens&gt;/samples_&lt;task&gt;.jsonl</c>, each file's lines.</summary>
    public static IEnumerable<(string RelativePath, IEnumerable<string> Lines)> Files(IReadOnlyList<SampleLine> samples) =>
        samples.GroupBy(s => (s.Run, s.TokensSeen, s.Task))
            .Select(file => (Path.Combine(file.Key.Run, file.Key.TokensSeen.ToString(), $"samples_{file.Key.Task}.jsonl"), file.Select(Line)));
}
