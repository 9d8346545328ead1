using Pipeline.Cli.Commands;
using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("pipeline");
    config.AddCommand<VersionCommand>("version").WithDescription("Print the versions of the tensor backend.");
    config.AddCommand<TrainCommand>("train").WithDescription("Pretrain or finetune one model on a tokenized dataset, with checkpoints at token milestones.");
    config.AddBranch("bench", bench =>
    {
        bench.SetDescription("Benchmarks that print figures (and write JSON with --json).");
        bench.AddCommand<BenchTrainCommand>("train").WithDescription("Full finetuning vs LoRA: tokens/s, MFU, peak memory.");
        bench.AddCommand<BenchRankCommand>("rank").WithDescription("Time the rank analysis of a checkpoint against raw svdvals.");
    });
    config.AddBranch("data", data =>
    {
        data.SetDescription("Built-in corpora, tokenizer, datasets and evaluation task sets.");
        data.AddCommand<DataBuildCommand>("build").WithDescription("Train the tokenizer and build the built-in datasets and task sets.");
        data.AddCommand<DataStatsCommand>("stats").WithDescription("Print documents, bytes and tokens per split and domain.");
        data.AddCommand<DataBundleCommand>("bundle").WithDescription("Rebuild the corpora bundle from unpacked archives (scripts/rebuild-corpora).");
    });
    config.AddCommand<RankCommand>("rank").WithDescription("Spectral rank analysis of a finetuned checkpoint or adapter against its base.");
});
return await app.RunAsync(args);
