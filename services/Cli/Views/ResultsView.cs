using System.Globalization;
using System.Text;
using System.Text.Json;
using Pipeline.Persistence.Queries;
using Spectre.Console;

namespace Pipeline.Cli.Views;

/// <summary>Renders `pipeline results` as a table, CSV or JSON.</summary>
static class ResultsView
{
    public static void Metrics(IReadOnlyList<MetricLine> lines, string format)
    {
        string[] header = ["experiment", "run", "method", "rank", "lr", "seed", "milestone", "tokens", "domain", "task", "metric", "value", "stderr"];
        Write(lines, format, header, l => [l.Experiment, l.Run, l.Method, Text(l.Rank), Text(l.LearningRate), Text(l.Seed), Text(l.Milestone),
            Text(l.TokensSeen), l.Domain, l.Task, l.Metric, l.Value.ToString("F4", CultureInfo.InvariantCulture), l.StdErr is { } s ? s.ToString("F4", CultureInfo.InvariantCulture) : ""]);
    }

    public static void Ranks(IReadOnlyList<RankLine> lines, string format)
    {
        string[] header = ["experiment", "run", "method", "rank", "milestone", "tokens", "layer", "module", "shape", "rank90", "random rank90", "stable rank", "intruders"];
        Write(lines, format, header, l => [l.Experiment, l.Run, l.Method, Text(l.Rank), Text(l.Milestone), Text(l.TokensSeen), Text(l.Layer), l.Module,
            $"{l.Rows}x{l.Columns}", Text(l.Rank90), Text(l.RandomRank90), l.StableRank.ToString("F2", CultureInfo.InvariantCulture), Text(l.IntruderCount)]);
    }

    static void Write<T>(IReadOnlyList<T> lines, string format, string[] header, Func<T, string[]> cells)
    {
        switch (format)
        {
            case "json":
                Console.Out.WriteLine(JsonSerializer.Serialize(lines, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
                break;
            case "csv":
                Console.Out.WriteLine(string.Join(',', header.Select(Csv)));
                foreach (var line in lines) Console.Out.WriteLine(string.Join(',', cells(line).Select(Csv)));
                break;
            default:
                var table = new Table().AddColumns(header);
                foreach (var line in lines) table.AddRow(cells(line).Select(Markup.Escape).ToArray());
                AnsiConsole.Write(table);
                break;
        }
    }

    static string Text<T>(T value) => value is null ? "" : Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";

    static string Csv(string cell) =>
        cell.IndexOfAny([',', '"', '\n']) >= 0 ? $"\"{cell.Replace("\"", "\"\"")}\"" : cell;
}
