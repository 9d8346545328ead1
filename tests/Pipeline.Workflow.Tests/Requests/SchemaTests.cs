using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Contracts.Experiments;
using Pipeline.ML.Adapters;
using Pipeline.ML.Modeling;
using Pipeline.ML.Spectral;

namespace Pipeline.Workflow.Tests.Requests;

/// <summary>The committed JSON Schema must describe exactly the model the validator reads.</summary>
public sealed class When_the_schema_is_compared_with_the_request_model
{
    static readonly JsonObject Schema = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "experiment.schema.json")))!.AsObject();

    static IEnumerable<string> JsonNames(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name)).Order();

    static IEnumerable<string> Keys(JsonNode? node) => node!.AsObject().Select(p => p.Key).Order();

    static IEnumerable<string> Enum(JsonNode? node) => node!["enum"]!.AsArray().Select(v => v!.GetValue<string>());

    [Fact]
    public void Should_have_the_same_fields()
    {
        Assert.Equal(JsonNames(typeof(ExperimentRequest)), Keys(Schema["properties"]));
        Assert.Equal(JsonNames(typeof(GridEntry)), Keys(Schema["$defs"]!["gridEntry"]!["properties"]));
        Assert.Equal(JsonNames(typeof(BaseModelSpec)), Keys(Schema["properties"]!["baseModel"]!["properties"]));
        Assert.Equal(JsonNames(typeof(DatasetChoice)), Keys(Schema["properties"]!["datasets"]!["properties"]));
    }

    [Fact]
    public void Should_have_the_same_vocabulary()
    {
        var grid = Schema["$defs"]!["gridEntry"]!["properties"]!;
        Assert.Equal(Vocabulary.Methods, Enum(grid["method"]));
        Assert.Equal(Vocabulary.Optimizers, Enum(grid["optimizer"]));
        Assert.Equal(Vocabulary.Schedules, Enum(grid["schedule"]));
        Assert.Equal(Vocabulary.Regimes, Enum(Schema["properties"]!["regime"]));
        Assert.Equal([.. Vocabulary.ModulePresets, .. Vocabulary.AllModules], Enum(grid["targetModules"]!["items"]));
    }

    [Fact]
    public void Should_name_modules_as_the_model_and_its_adapters_do()
    {
        Assert.Equal(LlamaAttention.Projections, Vocabulary.AttentionModules);
        Assert.Equal(LlamaMlp.Projections, Vocabulary.MlpModules);
        Assert.Equal(LoraConfig.AllModules, Vocabulary.AllModules);
        Assert.Equal(ProjectionName.Modules, Vocabulary.AllModules);
    }
}
