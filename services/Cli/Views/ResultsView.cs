using System.Globalization;
using System.Text;
using System.Text.Json;
using Pipeline.Persistence.Queries;
using Pipeline.Reporting.Scoring;
using Spectre.Console;

namespace Pipeline.Cli.Views;

/// <summary>Renders `pipeline results` as a table, CSV or JSON.</summary>
static class ResultsView
{
    /// <summary>Each task's headline metric, the one the table shows unless --metric picks another.</summary>
    static readonly string[] HeadlineMetrics = ["bits_per_byte", "acc_norm", "exact_match,strict-match", "exact_match,first-line"];

    public static void Metrics(IReadOnlyList<MetricLine> lines, string format, bool allMetrics = false)
    {
        if (format == "table")
        {
            MetricsTable(allMetrics ? lines : [.. lines.Where(l => HeadlineMetrics.Contains(l.Metric))]);
            return;
        }
        string[] header = ["experiment", "run", "method", "rank", "lr", "seed", "milestone", "tokens", "domain", "task", "metric", "value", "stderr"];
        Write(lines, format, header, l => [l.Experiment, l.Run, l.Method, Text(l.Rank), Text(l.LearningRate), Text(l.Seed), Text(l.Milestone),
            Text(l.TokensSeen), l.Domain, l.Task, l.Metric, l.Value.ToString("F4", CultureInfo.InvariantCulture), l.StdErr is { } s ? s.ToString("F4", CultureInfo.InvariantCulture) : ""]);
    }

    /// <summary>
    /// One row per checkpoint (run and tokens; 0 is the base model), one column per task and metric, "value ± stderr":
    /// learning and forgetting side by side in 80 columns. CSV and JSON keep every field.
    /// </summary>
    static void MetricsTable(IReadOnlyList<MetricLine> lines)
    {
        var columns = lines.Select(l => (l.Domain, l.Task, l.Metric)).Distinct()
            .OrderBy(c => c.Domain == "target" ? 0 : 1).ThenBy(c => c.Task).ThenBy(c => c.Metric).ToList();
        var table = new Table().AddColumn("run").AddColumn(new TableColumn("tokens").RightAligned());
        foreach (var (domain, task, metric) in columns)
            table.AddColumn(new TableColumn($"{Markup.Escape(task)}\n[grey]{Markup.Escape(ShortName(metric))} ({domain})[/]").RightAligned());
        foreach (var checkpoint in lines.GroupBy(l => (l.Experiment, l.Run, l.TokensSeen)).OrderBy(g => g.Key.Experiment).ThenBy(g => g.Key.Run).ThenBy(g => g.Key.TokensSeen))
        {
            var first = checkpoint.First();
            var cells = columns.Select(c => checkpoint.FirstOrDefault(l => (l.Domain, l.Task, l.Metric) == c) is { } l ? WithError(l) : "");
            table.AddRow([Markup.Escape(RunLabel(first)), first.IsBase ? "0 (base)" : Units.Tokens(first.TokensSeen), .. cells]);
        }
        AnsiConsole.Write(table);
        if (lines.Count > 0) AnsiConsole.MarkupLine("[grey]Headline metric per task; --metric NAME for another, --format csv or json for all fields.[/]");
    }

    static string RunLabel(MetricLine l) =>
        $"{l.Method}{(l.Rank is { } r ? $" r{r}" : "")} {Units.Rate(l.LearningRate)}{(l.Seed != 1 ? $" s{l.Seed}" : "")}";

    static string ShortName(string metric) => metric switch
    {
        "bits_per_byte" => "bpb ↓",
        "exact_match,strict-match" => "EM strict",
        "exact_match,first-line" => "EM line",
        _ => metric,
    };

    static string WithError(MetricLine l) =>
        l.StdErr is { } s ? $"{l.Value.ToString("F3", CultureInfo.InvariantCulture)}±{s.ToString("F3", CultureInfo.InvariantCulture)}" : l.Value.ToString("F3", CultureInfo.InvariantCulture);

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
