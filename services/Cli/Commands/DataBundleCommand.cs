using System.ComponentModel;
using Pipeline.Data.Corpora;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pipeline.Cli.Commands;

/// <summary>The C# step of scripts/rebuild-corpora: bundles the unpacked archives and verifies them against the committed manifest.</summary>
public sealed class DataBundleCommand : Command<DataBundleCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--staging <DIR>"), Description("Folder holding archives/ and one unpacked folder per archive.")]
        public string Staging { get; init; } = "";

        [CommandOption("--corpora <DIR>"), Description("The committed Corpora folder (bundle/ and licenses/).")]
        public string Corpora { get; init; } = "shared/Pipeline.Data/Corpora";

        [CommandOption("--write"), Description("Replace the committed bundle, licences and manifest with the rebuild.")]
        public bool Write { get; init; }

        public override ValidationResult Validate() =>
            Directory.Exists(Staging) ? ValidationResult.Success() : ValidationResult.Error($"--staging '{Staging}' is not a folder.");
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var output = Path.Combine(settings.Staging, "out");
        var rebuilt = BundleBuilder.Build(settings.Staging, Path.Combine(output, "bundle"), Path.Combine(output, "licenses"));
        var committedPath = Path.Combine(settings.Corpora, "bundle", BundleManifest.FileName);
        var differences = File.Exists(committedPath) ? rebuilt.Differences(BundleManifest.Load(committedPath)) : ["no committed manifest"];
        foreach (var line in differences)
            AnsiConsole.MarkupLineInterpolated($"[yellow]{line}[/]");
        foreach (var source in rebuilt.Sources)
            AnsiConsole.MarkupLineInterpolated($"{source.Name}: {source.Bundle.Documents} documents, {source.Bundle.Bytes:N0} bytes, sha256 {source.Bundle.Sha256}");
        if (settings.Write)
        {
            CopyTree(Path.Combine(output, "licenses"), Path.Combine(settings.Corpora, "licenses"));
            CopyTree(Path.Combine(output, "bundle"), Path.Combine(settings.Corpora, "bundle"));
            AnsiConsole.MarkupLineInterpolated($"[green]Wrote the bundle to {settings.Corpora}[/]");
            return 0;
        }
        AnsiConsole.MarkupLine(differences.Count == 0 ? "[green]All hashes match the committed manifest.[/]" : "[red]The rebuild differs from the committed manifest.[/]");
        return differences.Count == 0 ? 0 : 1;
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }
}
