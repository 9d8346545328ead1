using Pipeline.Cli.Commands;
using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("pipeline");
    config.AddCommand<VersionCommand>("version").WithDescription("Print the versions of the tensor backend.");
    config.AddBranch("bench", bench =>
    {
        bench.SetDescription("Benchmarks that print figures (and write JSON with --json).");
        bench.AddCommand<BenchTrainCommand>("train").WithDescription("Full finetuning vs LoRA: tokens/s, MFU, peak memory.");
    });
});
return await app.RunAsync(args);
