using System.ComponentModel;
using Spectre.Console.Cli;

namespace Pipeline.Cli.Hosting;

/// <summary>Options every pipeline command shares; connection strings come from the environment or appsettings.json.</summary>
public class PipelineCommandSettings : CommandSettings
{
    [CommandOption("--data-dir <DIR>")]
    [Description("Artifacts and the embedded SQLite results file (default: ./.pipeline, or Pipeline__DataDirectory).")]
    public string? DataDirectory { get; init; }
}
