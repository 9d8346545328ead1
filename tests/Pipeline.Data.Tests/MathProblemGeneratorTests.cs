using System.Text.RegularExpressions;
using Pipeline.Data.Corpora.Math;

namespace Pipeline.Data.Tests;

public class MathProblemGeneratorTests
{
    [Fact]
    public void Same_seed_gives_the_same_problems_and_another_seed_does_not()
    {
        var a = new MathProblemGenerator(7).Generate(50).ToList();
        Assert.Equal(a, new MathProblemGenerator(7).Generate(50).ToList());
        Assert.NotEqual(a.Select(p => p.Question), new MathProblemGenerator(8).Generate(50).Select(p => p.Question));
        Assert.Equal(a[30], new MathProblemGenerator(7).Problem(30));
    }

    [Fact]
    public void Solutions_are_correct_arithmetic_ending_in_the_gsm8k_answer_line()
    {
        foreach (var problem in new MathProblemGenerator(1, new MathDifficulty(2, 6, 200)).Generate(300))
        {
            Assert.EndsWith($"#### {problem.Answer}", problem.Solution);
            Assert.StartsWith("synthetic-math/", problem.Id);
            var steps = Regex.Matches(problem.Solution, @"<<(-?\d+)([-+*/])(-?\d+)=(-?\d+)>>");
            Assert.NotEmpty(steps);
            foreach (Match step in steps)
            {
                var (a, op, b, c) = (long.Parse(step.Groups[1].Value), step.Groups[2].Value, long.Parse(step.Groups[3].Value), long.Parse(step.Groups[4].Value));
                Assert.Equal(c, op switch { "+" => a + b, "-" => a - b, "*" => a * b, _ => a / b });
                if (op == "/") Assert.Equal(0, a % b);
            }
            Assert.Equal(problem.Answer, long.Parse(steps[^1].Groups[4].Value));
            Assert.DoesNotContain("<<", problem.AsRunningText());
        }
    }

    [Fact]
    public void The_step_knob_controls_how_many_calculations_a_problem_chains()
    {
        int Steps(MathDifficulty d) => new MathProblemGenerator(3, d).Generate(200).Max(p => Regex.Matches(p.Solution, "<<").Count);
        Assert.True(Steps(new MathDifficulty(1, 2, 50)) < Steps(new MathDifficulty(6, 8, 50)));
    }
}
