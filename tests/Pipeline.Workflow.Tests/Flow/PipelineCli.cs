using System.Diagnostics;

namespace Pipeline.Workflow.Tests.Flow;

/// <summary>The `pipeline` CLI built next to the tests (scripts/test builds the whole solution first).</summary>
internal static class PipelineCli
{
    private static string Dll()
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory);                   // tests/X/bin/CONFIG/net10.0/RID/
        var root = testBin.Parent!.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;   // repository root
        var path = Path.Combine(root, "services", "Cli", Path.GetRelativePath(Path.Combine(root, "tests", "Pipeline.Workflow.Tests"), testBin.FullName), "pipeline.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"build services/Cli first (run ./scripts/test): {path} is missing");
    }

    /// <summary>Starts a long-running CLI process; <paramref name="output"/> collects its log lines.</summary>
    public static Process Start(IReadOnlyDictionary<string, string?> environment, out System.Collections.Concurrent.ConcurrentQueue<string> output, params string[] arguments)
    {
        var process = Process.Start(StartInfo(environment, arguments))!;
        var lines = output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public static async Task<(int ExitCode, string Output)> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var (exitCode, output, errors) = await RunSeparatelyAsync(environment, arguments);
        return (exitCode, output + errors);
    }

    public static async Task<(int ExitCode, string Output, string Errors)> RunSeparatelyAsync(IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        using var process = Process.Start(StartInfo(environment, arguments))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await errors);
    }

    /// <summary>`dotnet pipeline.dll ARGS` with the test bed's settings; one intra-op thread each, as five processes share two cores.</summary>
    private static ProcessStartInfo StartInfo(IReadOnlyDictionary<string, string?> environment, string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Dll());
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        start.Environment["Pipeline__Compute__Threads"] = "1";
        return start;
    }

    public static void Stop(Process process)
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.WaitForExit();
        process.Dispose();
    }
}
