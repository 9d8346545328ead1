using Pipeline.ML.Evaluation;

namespace Pipeline.ML.Tests.Evaluation;

public class TaskDefinitionTests
{
    private static string TaskFile(string name, params string[] lines)
    {
        var path = Path.Combine(TinyModels.TempDirectory(), name);
        File.WriteAllLines(path, lines);
        return path;
    }

    [Theory]
    [InlineData("""{"id": "d1", "text": "a document"}""", OutputType.LoglikelihoodRolling, new[] { "token_perplexity", "word_perplexity", "byte_perplexity", "bits_per_byte" })]
    [InlineData("""{"context": "c", "choices": ["a", "b"], "label": 1}""", OutputType.MultipleChoice, new[] { "acc", "acc_norm" })]
    [InlineData("""{"prompt": "2+2=", "answer": "4"}""", OutputType.GenerateUntil, new[] { "exact_match,strict-match", "exact_match,flexible-extract" })]
    public void A_user_task_file_is_typed_by_the_fields_of_its_items(string item, OutputType type, string[] metrics)
    {
        var task = TaskDefinition.FromFile(TaskFile("mine.jsonl", "", item), "math");

        Assert.Equal(("mine", "math", type), (task.Name, task.Domain, task.OutputType));
        Assert.Equal(metrics, task.Metrics);
    }

    [Fact]
    public void A_generation_file_takes_the_filters_it_is_given_by_name()
    {
        var task = TaskDefinition.FromFile(TaskFile("code.jsonl", """{"prompt": "def f():", "answer": "    return 1"}"""), "code", ["first-line"]);

        Assert.Equal(["exact_match,first-line"], task.Metrics);
        var unknown = Assert.Throws<ArgumentException>(() => TaskDefinition.FromFile(task.File, "code", ["loose"]));
        Assert.Contains("unknown answer filter 'loose'", unknown.Message);
    }

    [Theory]
    [InlineData("""{"question": "q"}""", "not a task item")]
    [InlineData("""{"text": """, "not valid JSON")]
    [InlineData("""[1, 2]""", "must be a JSON object")]
    public void A_file_that_is_no_task_is_refused_naming_file_and_line(string item, string problem)
    {
        var path = TaskFile("bad.jsonl", "", item);

        var error = Assert.Throws<InvalidDataException>(() => TaskDefinition.FromFile(path, "code"));

        Assert.StartsWith($"{path}:2: ", error.Message);
        Assert.Contains(problem, error.Message);
    }
}
