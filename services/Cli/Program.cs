using Pipeline.Cli.Commands;
using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("pipeline");
    config.AddCommand<VersionCommand>("version").WithDescription("Print the versions of the tensor backend.");
    config.AddCommand<RankCommand>("rank").WithDescription("Spectral rank analysis of a finetuned checkpoint or adapter against its base.");
    config.AddBranch("bench", bench =>
        bench.AddCommand<BenchRankCommand>("rank").WithDescription("Time the rank analysis of a checkpoint against raw svdvals."));
});
return await app.RunAsync(args);
