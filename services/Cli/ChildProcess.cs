using System.Diagnostics;

namespace Pipeline.Cli;

/// <summary>Runs this same CLI again with other arguments (e.g. one benchmark per process), passing its output through.</summary>
public static class ChildProcess
{
    public static void RunSelf(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };
        // Under `dotnet pipeline.dll` the host is dotnet itself and the entry assembly is the first argument.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet") start.ArgumentList.Add(Environment.GetCommandLineArgs()[0]);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start a child process");
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"child process `pipeline {string.Join(' ', start.ArgumentList)}` exited with {process.ExitCode}");
    }
}
