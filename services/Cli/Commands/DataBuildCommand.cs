using System.ComponentModel;
using System.Diagnostics;
using Pipeline.Data.Artifacts;
using Pipeline.Data.Corpora;
using Pipeline.Data.Datasets;
using Pipeline.Data.Tasks;
using Pipeline.Data.Tokenization;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pipeline.Cli.Commands;

/// <summary>Builds everything a study needs from the built-in corpora: the tokenizer, the CPT and IFT datasets of each
/// domain and the evaluation task sets — each reused from the artifact store when already built.</summary>
public sealed class DataBuildCommand : Command<DataBuildCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--store <DIR>"), Description("Artifact store folder."), DefaultValue("artifacts")]
        public string Store { get; init; } = "artifacts";

        [CommandOption("--vocab <N>"), Description("Tokenizer vocabulary size."), DefaultValue(BpeTrainer.DefaultVocabSize)]
        public int Vocab { get; init; } = BpeTrainer.DefaultVocabSize;

        [CommandOption("--math-problems <N>"), Description("Synthetic math problems in the math domain."), DefaultValue(20_000)]
        public int MathProblems { get; init; } = 20_000;

        [CommandOption("--math-seed <N>"), Description("Seed of the synthetic math generator."), DefaultValue(1234)]
        public int MathSeed { get; init; } = 1234;
    }

    public static readonly IReadOnlyList<(string Domain, string Regime)> BuiltInDatasets =
        [(Domains.Source, Regimes.Cpt), (Domains.Code, Regimes.Cpt), (Domains.Code, Regimes.Ift), (Domains.Math, Regimes.Cpt), (Domains.Math, Regimes.Ift)];

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var store = new ArtifactStore(settings.Store);
        var bundle = CorpusBundle.Open();
        var math = new MathCorpusSettings(settings.MathProblems, settings.MathSeed);

        var stopwatch = Stopwatch.StartNew();
        var tokenizer = BuiltInTokenizer.GetOrTrain(store, bundle, TokenizerSpec.Default with { VocabSize = settings.Vocab });
        AnsiConsole.MarkupLineInterpolated($"Tokenizer: {tokenizer} (vocab {TextTokenizer.Load(tokenizer).VocabSize}, {stopwatch.Elapsed.TotalSeconds:F1} s incl. cache check)");

        foreach (var (domain, regime) in BuiltInDatasets)
        {
            stopwatch.Restart();
            var dataset = DatasetBuilder.GetOrBuild(store, bundle, tokenizer, new DatasetSpec(domain, regime, math));
            AnsiConsole.MarkupLineInterpolated($"Dataset {domain}/{regime}: {dataset} ({stopwatch.Elapsed.TotalSeconds:F1} s)");
        }

        var tasks = store.GetOrCreate(ContentKey.Of("tasks", new { format = 1, bundle = bundle.Manifest.Sources.Select(s => s.Bundle.ContentSha256), math }),
            directory => BuiltInTasks.WriteAll(directory, bundle, math));
        foreach (var file in Directory.GetFiles(tasks, "*.jsonl").Order())
            AnsiConsole.MarkupLineInterpolated($"Task set {Path.GetFileName(file)}: {File.ReadLines(file).Count()} items");
        return 0;
    }
}
