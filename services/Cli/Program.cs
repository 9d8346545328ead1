using Pipeline.Cli.Commands;
using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("pipeline");
    config.AddCommand<VersionCommand>("version").WithDescription("Print the versions of the tensor backend.");
});
return await app.RunAsync(args);
