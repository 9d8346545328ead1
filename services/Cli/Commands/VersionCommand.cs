using Spectre.Console;
using Spectre.Console.Cli;
using TorchSharp;

namespace Pipeline.Cli.Commands;

public sealed class VersionCommand : Command
{
    public override int Execute(CommandContext context, CancellationToken cancellationToken)
    {
        AnsiConsole.MarkupLine($"TorchSharp {typeof(torch).Assembly.GetName().Version}, CUDA available: {torch.cuda.is_available()}");
        return 0;
    }
}
