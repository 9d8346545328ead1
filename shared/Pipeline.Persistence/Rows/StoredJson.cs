using System.Text.Json;
using Pipeline.Contracts;
using Pipeline.Contracts.Experiments;

namespace Pipeline.Persistence.Rows;

/// <summary>
/// How message bodies, request snapshots and value maps are stored in the results database's text columns: one set of
/// options, written and read only here.
/// </summary>
public static class StoredJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Read<T>(string json, string what) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new InvalidDataException($"{what}: stored JSON is null");

    /// <summary>The RunRequested message a run was queued with: its grid cell, data and base model.</summary>
    public static RunRequested ReadRequest(this RunRow run) => Read<RunRequested>(run.RequestJson, $"run {run.CellKey} request_json");

    /// <summary>The experiment as validated at submission, from the request stored as the user wrote it.</summary>
    public static Experiment ReadExperiment(this ExperimentRow experiment) =>
        Experiment.Resolve(Read<ExperimentRequest>(experiment.RequestJson, $"experiment {experiment.Name} request_json"));

    /// <summary>A per-item value map (<see cref="SampleRow.ValuesJson"/>).</summary>
    public static Dictionary<string, double> ReadValues(this SampleRow sample) => ReadValues(sample.ValuesJson);

    public static Dictionary<string, double> ReadValues(string valuesJson) => Read<Dictionary<string, double>>(valuesJson, "samples.values_json");
}
