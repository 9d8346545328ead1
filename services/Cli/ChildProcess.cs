using System.Diagnostics;

namespace Pipeline.Cli;

/// <summary>Runs this same CLI again with other arguments (one benchmark per process, a service per process).</summary>
public static class ChildProcess
{
    /// <summary>Runs to the end, passing its output through; throws when it fails.</summary>
    public static void RunSelf(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = StartInfo(arguments, environment);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start a child process");
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"child process `pipeline {string.Join(' ', start.ArgumentList)}` exited with {process.ExitCode}");
    }

    /// <summary>Starts it in the background with its output appended to <paramref name="logFile"/>; disposing it kills it.</summary>
    public static Background StartSelf(IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string logFile)
    {
        var start = StartInfo(arguments, environment);
        start.RedirectStandardOutput = start.RedirectStandardError = true;
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start a child process");
        var log = TextWriter.Synchronized(new StreamWriter(logFile, append: true) { AutoFlush = true });
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new Background(process, log);
    }

    public sealed class Background(Process process, TextWriter log) : IDisposable
    {
        public bool HasExited => process.HasExited;

        public void Dispose()
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit(); // and for the end of its output, so the log is complete before it closes
            log.Dispose();
            process.Dispose();
        }
    }

    static ProcessStartInfo StartInfo(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };
        // Under `dotnet pipeline.dll` the host is dotnet itself and the entry assembly is the first argument.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet") start.ArgumentList.Add(Environment.GetCommandLineArgs()[0]);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        return start;
    }
}
