using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Contracts.Experiments;
using Pipeline.Workflow.Tests.Fixtures;

namespace Pipeline.Workflow.Tests.Requests;

public sealed class When_a_request_is_invalid
{
    static readonly ExperimentValidator Validator = new(ComputeTestDouble.Catalog);

    static JsonObject ValidJson() => JsonNode.Parse(JsonSerializer.Serialize(TestRequests.Valid(), ExperimentRequestFile.Json))!.AsObject();
    static JsonObject Grid(JsonObject request, int i) => request["grid"]![i]!.AsObject();

    /// <summary>Each case breaks one thing in a valid request; the rejection must name that field.</summary>
    public static TheoryData<string, Action<JsonObject>, string, string> Cases() => new()
    {
        { "missing name", r => r.Remove("name"), "$.name", "is required" },
        { "name with a path", r => r["name"] = "../../etc/passwd", "$.name", "must be 1-100 letters" },
        { "missing seeds", r => r.Remove("seeds"), "$.seeds", "is required" },
        { "negative seed", r => r["seeds"] = new JsonArray(-1), "$.seeds[0]", "must be ≥ 0" },
        { "duplicate seeds", r => r["seeds"] = new JsonArray(1, 1), "$.seeds", "distinct" },
        { "duplicate entry seeds", r => Grid(r, 0)["seeds"] = new JsonArray(2, 2), "$.grid[0].seeds", "distinct" },
        { "missing base model", r => r.Remove("baseModel"), "$.baseModel", "is required" },
        { "preset and path", r => r["baseModel"] = new JsonObject { ["preset"] = "ci", ["path"] = "/tmp" }, "$.baseModel", "exactly one" },
        { "unknown preset", r => r["baseModel"] = new JsonObject { ["preset"] = "llama-70b" }, "$.baseModel.preset", "unknown preset 'llama-70b'" },
        { "missing model directory", r => r["baseModel"] = new JsonObject { ["path"] = "/nonexistent/model" }, "$.baseModel.path", "config.json" },
        { "missing source dataset", r => r["datasets"]!.AsObject().Remove("source"), "$.datasets.source", "is required" },
        { "unknown target dataset", r => r["datasets"]!["target"] = "starcoder", "$.datasets.target", "unknown dataset 'starcoder'" },
        { "source equals target", r => r["datasets"]!["target"] = "prose", "$.datasets", "must differ" },
        { "missing regime", r => r.Remove("regime"), "$.regime", "is required" },
        { "unknown regime", r => r["regime"] = "rlhf", "$.regime", "unknown regime 'rlhf'" },
        { "zero token budget", r => r["tokenBudget"] = 0, "$.tokenBudget", "must be > 0" },
        { "negative token budget", r => r["tokenBudget"] = -5, "$.tokenBudget", "must be > 0" },
        { "huge token budget", r => r["tokenBudget"] = JsonNode.Parse("1e30"), "$.tokenBudget", "could not be converted" },
        { "token budget as text", r => r["tokenBudget"] = "lots", "$.tokenBudget", "could not be converted" },
        { "milestones not increasing", r => r["milestones"] = new JsonArray(2000, 1000, 3000), "$.milestones[1]", "not greater" },
        { "milestone beyond budget", r => r["milestones"] = new JsonArray(1000, 5000), "$.milestones[1]", "beyond the token budget" },
        { "no milestones", r => r["milestones"] = new JsonArray(), "$.milestones", "at least one" },
        { "empty grid", r => r["grid"] = new JsonArray(), "$.grid", "at least one" },
        { "unknown method", r => Grid(r, 0)["method"] = "qlora", "$.grid[0].method", "unknown method 'qlora'" },
        { "missing method", r => Grid(r, 0).Remove("method"), "$.grid[0].method", "is required" },
        { "rank zero", r => Grid(r, 1)["ranks"] = new JsonArray(0), "$.grid[1].ranks[0]", "must be > 0" },
        { "negative rank", r => Grid(r, 1)["ranks"] = new JsonArray(-4), "$.grid[1].ranks[0]", "must be > 0" },
        { "rank above min(d_in, d_out)", r => Grid(r, 1)["ranks"] = new JsonArray(64), "$.grid[1].ranks[0]", "exceeds min(d_in, d_out) = 32" },
        { "LoRA without ranks", r => Grid(r, 1).Remove("ranks"), "$.grid[1].ranks", "is required" },
        { "full finetuning with ranks", r => Grid(r, 0)["ranks"] = new JsonArray(8), "$.grid[0].ranks", "no rank" },
        { "alpha zero", r => Grid(r, 1)["alpha"] = 0, "$.grid[1].alpha", "must be > 0" },
        { "negative alpha", r => Grid(r, 1)["alpha"] = -16, "$.grid[1].alpha", "must be > 0" },
        { "zero learning rate", r => Grid(r, 0)["learningRates"] = new JsonArray(0), "$.grid[0].learningRates[0]", "finite number > 0" },
        { "negative learning rate", r => Grid(r, 0)["learningRates"] = new JsonArray(-1e-4), "$.grid[0].learningRates[0]", "finite number > 0" },
        { "NaN learning rate", r => Grid(r, 0)["learningRates"] = new JsonArray("NaN"), "$.grid[0].learningRates[0]", "got NaN" },
        { "infinite learning rate", r => Grid(r, 0)["learningRates"] = new JsonArray("Infinity"), "$.grid[0].learningRates[0]", "finite number > 0" },
        { "no learning rates", r => Grid(r, 0)["learningRates"] = new JsonArray(), "$.grid[0].learningRates", "at least one" },
        { "unknown module", r => Grid(r, 1)["targetModules"] = new JsonArray("qkv_proj"), "$.grid[1].targetModules[0]", "unknown module 'qkv_proj'" },
        { "no modules", r => Grid(r, 1)["targetModules"] = new JsonArray(), "$.grid[1].targetModules", "at least one" },
        { "dropout of 1.5", r => Grid(r, 1)["dropout"] = 1.5, "$.grid[1].dropout", "[0, 1)" },
        { "negative weight decay", r => Grid(r, 0)["weightDecay"] = -0.1, "$.grid[0].weightDecay", "must be ≥ 0" },
        { "unknown optimizer", r => Grid(r, 0)["optimizer"] = "sgd", "$.grid[0].optimizer", "unknown optimizer 'sgd'" },
        { "unknown schedule", r => Grid(r, 0)["schedule"] = "linear", "$.grid[0].schedule", "unknown schedule 'linear'" },
        { "LoRA+ ratio on plain LoRA", r => Grid(r, 1)["loraPlusRatio"] = 16, "$.grid[1].loraPlusRatio", "only applies" },
        { "missing eval tasks", r => r.Remove("evalTasks"), "$.evalTasks", "is required" },
        { "unknown eval task", r => r["evalTasks"] = new JsonArray("hellaswag"), "$.evalTasks[0]", "unknown evaluation task 'hellaswag'" },
        { "misspelled field", r => Grid(r, 0)["learning_rate"] = 1e-3, "$.grid[0].learning_rate", "could not be mapped" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Should_name_the_field(string _, Action<JsonObject> breakIt, string path, string fragment)
    {
        var json = ValidJson();
        breakIt(json);
        var errors = Errors(json.ToJsonString());
        Assert.Contains(errors, e => e.Path == path && e.Message.Contains(fragment, StringComparison.Ordinal));
    }

    [Fact]
    public void Should_report_every_invalid_field_at_once()
    {
        var json = ValidJson();
        json.Remove("name");
        json["tokenBudget"] = 0;
        Grid(json, 1)["ranks"] = new JsonArray(0, 4, 999);
        Grid(json, 0)["learningRates"] = new JsonArray(-1);
        json["evalTasks"] = new JsonArray("nope");
        var paths = Errors(json.ToJsonString()).Select(e => e.Path).ToList();
        Assert.Equal(["$.name", "$.tokenBudget", "$.grid[0].learningRates[0]", "$.grid[1].ranks[0]", "$.grid[1].ranks[2]", "$.evalTasks[0]"], paths);
    }

    [Fact]
    public void Should_give_the_line_of_a_syntax_error()
    {
        var error = Assert.Throws<ExperimentRequestException>(() => ExperimentRequestFile.Parse("{\n  \"name\": \"x\",\n  \"seeds\": [1,,]\n}", "bad.json"));
        Assert.Contains("line 3", error.Errors.Single().Message);
        Assert.StartsWith("bad.json:", error.Message);
    }

    [Fact]
    public void Should_reject_a_file_that_is_not_utf8()
    {
        var file = Path.GetTempFileName();
        File.WriteAllBytes(file, [(byte)'{', 0xC3, 0x28, (byte)'}']);
        var error = Assert.Throws<ExperimentRequestException>(() => ExperimentRequestFile.Load(file));
        File.Delete(file);
        Assert.Contains("not valid UTF-8", error.Errors.Single().Message);
    }

    [Fact]
    public void Should_check_ranks_against_a_model_directory_config()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        File.WriteAllText(Path.Combine(dir, "config.json"),
            """{"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 1}""");
        var json = ValidJson();
        json["baseModel"] = new JsonObject { ["path"] = dir };
        Grid(json, 1)["ranks"] = new JsonArray(16, 17); // k_proj/v_proj are 16 × 64 with one KV head
        var errors = Errors(json.ToJsonString());
        Directory.Delete(dir, true);
        Assert.Equal("$.grid[1].ranks[1]", Assert.Single(errors).Path);
    }

    static IReadOnlyList<ValidationError> Errors(string json)
    {
        try { return Validator.Validate(ExperimentRequestFile.Parse(json, "request.json")); }
        catch (ExperimentRequestException e) { return e.Errors; }
    }
}

public sealed class When_a_request_is_valid
{
    [Fact]
    public void Should_expand_the_grid_into_one_run_per_cell_with_paper_defaults()
    {
        var request = TestRequests.Valid("grid", 4, 8) with { Seeds = [1, 2] };
        Assert.Empty(new ExperimentValidator(ComputeTestDouble.Catalog).Validate(request));
        var runs = Experiment.Resolve(request).Cells;
        Assert.Equal(6, runs.Count); // (full + 2 ranks) × 2 seeds
        var lora = runs.First(r => r.Rank == 8);
        Assert.Equal(16, lora.Alpha); // α = 2r
        Assert.Equal(["q_proj", "k_proj", "v_proj", "o_proj"], lora.TargetModules);
        Assert.Equal(("lionw", "inverse_sqrt"), (lora.Optimizer, lora.Schedule)); // the paper's CPT choices
        Assert.Equal(6, runs.Select(r => r.Key).Distinct().Count());
    }

    [Fact]
    public void Should_train_an_entry_with_its_own_seeds()
    {
        var request = TestRequests.Valid("grid", 4, 8);
        request = request with { Grid = [request.Grid![0] with { Seeds = [1, 2, 3] }, .. request.Grid.Skip(1)] };
        Assert.Empty(new ExperimentValidator(ComputeTestDouble.Catalog).Validate(request));

        var runs = Experiment.Resolve(request).Cells;

        Assert.Equal(3, runs.Count(r => r.Method == request.Grid[0].Method));
        Assert.Equal([1, 2, 3], runs.Where(r => r.Method == request.Grid[0].Method).Select(r => r.Seed).Order());
        Assert.All(runs.Where(r => r.Method != request.Grid[0].Method), r => Assert.Equal(request.Seeds![0], r.Seed));
    }

    [Fact]
    public void Should_hash_equal_content_equally()
    {
        Assert.Equal(ExperimentRequestFile.ContentHash(TestRequests.Valid("a")), ExperimentRequestFile.ContentHash(TestRequests.Valid("a")));
        Assert.NotEqual(ExperimentRequestFile.ContentHash(TestRequests.Valid("a")), ExperimentRequestFile.ContentHash(TestRequests.Valid("a", 8)));
    }
}
