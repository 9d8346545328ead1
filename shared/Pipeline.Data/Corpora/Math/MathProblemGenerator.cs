using System.Text;

namespace Pipeline.Data.Corpora.Math;

/// <summary>Generates SYNTHETIC grade-school math word problems in GSM8K's format (no real GSM8K is reachable offline).
/// Problem i depends only on (seed, i, difficulty), so any subset can be regenerated exactly.</summary>
public sealed class MathProblemGenerator(int seed, MathDifficulty? difficulty = null)
{
    public const string SourceName = "synthetic-math";

    private static readonly string[] Names = ["Natalia", "James", "Maria", "Tom", "Aisha", "Kenji", "Lucia", "Omar", "Priya", "Ben", "Chloe", "Diego", "Fatima", "Hugo", "Ines", "Jamal"];
    private static readonly string[] Items = ["apples", "marbles", "stickers", "pencils", "cookies", "books", "stamps", "shells", "cards", "beads", "eggs", "flowers"];
    private static readonly string[] Goods = ["notebook", "sandwich", "ticket", "plant", "toy car", "scarf", "puzzle", "mug"];

    private readonly MathDifficulty _difficulty = Validated(difficulty ?? MathDifficulty.Default);

    public IEnumerable<MathProblem> Generate(int count) => Enumerable.Range(0, count).Select(Problem);

    public MathProblem Problem(int index)
    {
        var random = SplitMix64.From(seed, index, _difficulty.MinSteps, _difficulty.MaxSteps, _difficulty.MaxOperand);
        var id = $"{SourceName}/{seed}/{index}";
        return random.Next(3) == 0 ? Shopping(id, ref random) : Inventory(id, ref random);
    }

    private static MathDifficulty Validated(MathDifficulty difficulty)
    {
        difficulty.Validate();
        return difficulty;
    }

    /// <summary>A quantity changed by a chain of add / remove / multiply / share steps.</summary>
    private MathProblem Inventory(string id, ref SplitMix64 random)
    {
        var name = random.Pick(Names);
        var item = random.Pick(Items);
        var max = _difficulty.MaxOperand;
        long count = random.Next(2, max);
        var question = new StringBuilder($"{name} has {count} {item}.");
        var solution = new StringBuilder();
        var steps = random.Next(_difficulty.MinSteps, _difficulty.MaxSteps);
        for (var step = 0; step < steps; step++)
            count = InventoryStep(ref random, name, item, count, question, solution);
        question.Append($" How many {item} does {name} have now?");
        return Finish(id, question, solution, count);
    }

    private long InventoryStep(ref SplitMix64 random, string name, string item, long count, StringBuilder question, StringBuilder solution)
    {
        var max = _difficulty.MaxOperand;
        var divisor = Enumerable.Range(2, 8).Where(d => count % d == 0 && count / d >= 1).ToArray();
        switch (random.Next(divisor.Length > 0 ? 4 : 3))
        {
            case 0:
                var bought = random.Next(2, max);
                question.Append($" Then {name} gets {bought} more {item}.");
                return Step(solution, $"After getting {bought} more, {name} has", count, '+', bought, item);
            case 1 when count > 2:
                var given = random.Next(1, (int)System.Math.Min(count - 1, max));
                question.Append($" {name} gives {given} {item} to a friend.");
                return Step(solution, $"After giving {given} away, {name} has", count, '-', given, item);
            case 2:
                var factor = random.Next(2, System.Math.Max(2, System.Math.Min(5, max / 10)));
                question.Append($" Over the next month the collection grows to {factor} times its size.");
                return Step(solution, "The collection grows to", count, '*', factor, item);
            case 3:
                var parts = random.Pick(divisor);
                question.Append($" {name} shares the {item} equally among {parts} friends, and keeps one friend's share.");
                return Step(solution, "Each share is", count, '/', parts, item);
            default:
                var extra = random.Next(2, max);
                question.Append($" {name} finds {extra} more {item}.");
                return Step(solution, $"After finding {extra} more, {name} has", count, '+', extra, item);
        }
    }

    /// <summary>Several goods bought at a unit price, paid with a note: totals, a sum, then the change.</summary>
    private MathProblem Shopping(string id, ref SplitMix64 random)
    {
        var name = random.Pick(Names);
        var kinds = System.Math.Max(1, random.Next(_difficulty.MinSteps, _difficulty.MaxSteps) - 1);
        var question = new StringBuilder($"{name} goes shopping.");
        var solution = new StringBuilder();
        long total = 0;
        var shuffled = Goods.ToArray();
        random.Shuffle(shuffled);
        var goods = shuffled.Take(System.Math.Min(kinds, Goods.Length)).ToList();
        foreach (var good in goods)
        {
            var quantity = random.Next(2, System.Math.Max(2, _difficulty.MaxOperand / 5));
            var price = random.Next(2, _difficulty.MaxOperand);
            question.Append($" {name} buys {quantity} {good}s at ${price} each.");
            var cost = Step(solution, $"The {good}s cost", quantity, '*', price, "dollars");
            if (total > 0) total = Step(solution, "So far that is", total, '+', cost, "dollars");
            else total = cost;
        }
        var note = ((total / 50) + 1) * 50;
        question.Append($" {name} pays with ${note}. How much change does {name} get, in dollars?");
        var change = Step(solution, "The change is", note, '-', total, "dollars");
        return Finish(id, question, solution, change);
    }

    private static long Step(StringBuilder solution, string lead, long a, char op, long b, string unit)
    {
        var result = op switch { '+' => a + b, '-' => a - b, '*' => a * b, '/' => a / b, _ => throw new ArgumentOutOfRangeException(nameof(op)) };
        solution.Append($"{lead} {a}{op}{b} = <<{a}{op}{b}={result}>>{result} {unit}.\n");
        return result;
    }

    private static MathProblem Finish(string id, StringBuilder question, StringBuilder solution, long answer) =>
        new(id, question.ToString(), solution.Append($"#### {answer}").ToString(), answer);
}
