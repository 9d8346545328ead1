using Pipeline.Contracts.Stages;
using Pipeline.Persistence.Rows;

namespace Pipeline.Workflow.Evaluator;

/// <summary>Between a per-item record as the evaluator returns it and as the results database stores it.</summary>
public static class SampleRows
{
    public static SampleRow From(Guid checkpointId, SampleResult s) => new()
    {
        CheckpointId = checkpointId, Task = s.Task, Domain = s.Domain, DocId = s.DocId, ItemId = s.ItemId, SourceId = s.SourceId,
        DocJson = s.DocJson, Target = s.Target, ResponsesJson = s.ResponsesJson, FilteredResponsesJson = s.FilteredResponsesJson,
        ValuesJson = StoredJson.Write(s.Values),
    };

    public static SampleResult ToResult(SampleRow r) => new(r.Task, r.Domain, r.DocId, r.ItemId, r.SourceId, r.DocJson, r.Target,
        r.ResponsesJson, r.FilteredResponsesJson, r.ReadValues());
}
