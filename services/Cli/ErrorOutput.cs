using Spectre.Console;
using Spectre.Console.Cli;

namespace Pipeline.Cli;

/// <summary>How a failed command reports: one line, `Error: <message>`, on stderr, never wrapped and without a stack
/// trace, so a log holds one error per line. Spectre's rendering of a mistyped command line (with its usage hint) is
/// kept for a terminal.</summary>
internal static class ErrorOutput
{
    public const int ExitCode = 1;

    public static int Report(Exception error, ITypeResolver? _)
    {
        if (error is CommandAppException { Pretty: { } pretty } && !Console.IsErrorRedirected)
            AnsiConsole.Write(pretty);
        else
            Console.Error.WriteLine($"Error: {OneLine(Innermost(error).Message)}");
        return ExitCode;
    }

    private static Exception Innermost(Exception error) => error switch
    {
        AggregateException { InnerExceptions.Count: 1 } aggregate => Innermost(aggregate.InnerExceptions[0]),
        System.Reflection.TargetInvocationException { InnerException: { } inner } => Innermost(inner),
        _ => error,
    };

    private static string OneLine(string message) => string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
}
