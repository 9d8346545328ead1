using Pipeline.Cli.Commands;
using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("pipeline");
    config.AddCommand<VersionCommand>("version").WithDescription("Print the versions of the tensor backend.");
    config.AddBranch("bench", bench =>
    {
        bench.SetDescription("Measure throughput.");
        bench.AddCommand<BenchEvalCommand>("eval").WithDescription("Scoring and generation tokens/s, with and without the KV cache.");
    });
});
return await app.RunAsync(args);
