using Pipeline.Cli.Commands;
using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("pipeline");
    config.AddCommand<VersionCommand>("version").WithDescription("Print the versions of the tensor backend.");
    config.AddCommand<QuickstartCommand>("quickstart").WithDescription("Run a small built-in study end to end in this process and print its results.");
    config.AddCommand<SubmitCommand>("submit").WithDescription("Validate an experiment request and publish it (without a broker: run it here).");
    config.AddCommand<StatusCommand>("status").WithDescription("Experiments, or one experiment's runs: stage, progress, tokens/s, ETA, failures.");
    config.AddCommand<ResultsCommand>("results").WithDescription("Metrics (or --ranks) per checkpoint as a table, CSV or JSON.");
    config.AddCommand<ServicesCommand>("services").WithDescription("Run pipeline services (data-prep, trainer, evaluator, rank-analysis) in this process.");
    config.AddCommand<RetryCommand>("retry").WithDescription("Requeue a failed or diverged run.");
});
return await app.RunAsync(args);
