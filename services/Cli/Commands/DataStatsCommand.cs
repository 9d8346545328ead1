using System.ComponentModel;
using Pipeline.Data.Corpora;
using Pipeline.Data.Datasets;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pipeline.Cli.Commands;

/// <summary>Prints documents, bytes and tokens per split and domain: the built-in corpora, then every dataset in the store.</summary>
public sealed class DataStatsCommand : Command<DataStatsCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--store <DIR>"), Description("Artifact store folder."), DefaultValue("artifacts")]
        public string Store { get; init; } = "artifacts";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        AnsiConsole.Write(CorpusTable(CorpusBundle.Open()));
        var datasets = Path.Combine(settings.Store, "datasets");
        if (Directory.Exists(datasets))
            AnsiConsole.Write(DatasetTable(Directory.GetDirectories(datasets).Where(d => File.Exists(Path.Combine(d, DatasetInfo.FileName)))));
        else
            AnsiConsole.MarkupLineInterpolated($"No datasets in '{settings.Store}' yet; run `pipeline data build`.");
        return 0;
    }

    private static Table CorpusTable(CorpusBundle bundle)
    {
        var table = new Table().Title("Built-in corpora (bundle)");
        foreach (var column in new[] { "source", "domain", "documents", "bytes", "train", "validation", "test" })
            table.AddColumn(column);
        foreach (var source in bundle.Manifest.Sources)
        {
            var splits = bundle.Read(source.Name).GroupBy(d => DocumentSplits.Assign(d.Id, SplitFractions.Default)).ToDictionary(g => g.Key, g => g.Count());
            table.AddRow(source.Name, source.Domain, $"{source.Bundle.Documents:N0}", $"{source.Bundle.Bytes:N0}",
                $"{splits.GetValueOrDefault(DocumentSplits.Train)}", $"{splits.GetValueOrDefault(DocumentSplits.Validation)}",
                $"{splits.GetValueOrDefault(DocumentSplits.Test)}");
        }
        table.Caption("Licences and hashes: Corpora/bundle/manifest.json. Math is SYNTHETIC (GSM8K-style), generated on demand.");
        return table;
    }

    private static Table DatasetTable(IEnumerable<string> directories)
    {
        var table = new Table().Title("Tokenized datasets (artifact store)");
        foreach (var column in new[] { "domain", "regime", "split", "documents", "bytes", "tokens", "B/tok" })
            table.AddColumn(column);
        var infos = directories.Select(d => TokenizedDataset.Open(d).Info)
            .OrderBy(i => Array.IndexOf(Domains.All.ToArray(), i.Domain)).ThenBy(i => i.Domain).ThenBy(i => i.Regime);
        foreach (var info in infos)
            foreach (var (split, stats) in info.Splits)
                table.AddRow(info.Domain, info.Regime, split, $"{stats.Documents:N0}", $"{stats.Bytes:N0}", $"{stats.Tokens:N0}",
                    stats.Tokens == 0 ? "-" : $"{(double)stats.Bytes / stats.Tokens:F2}");
        table.Caption("Keys and tokenizer hashes: artifacts/datasets/<key>/dataset.json.");
        return table;
    }
}
