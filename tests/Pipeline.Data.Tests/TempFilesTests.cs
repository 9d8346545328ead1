using System.Diagnostics;
using Pipeline.Data.Artifacts;

namespace Pipeline.Data.Tests;

public class TempFilesTests
{
    [Fact]
    public void A_killed_writers_temps_are_swept_and_a_live_writers_are_kept()
    {
        using var root = new TempFolder();
        var mine = TempFiles.NewName();
        var parts = mine.Split('_');
        var live = root.File($"work/run/.latest.{mine}.tmp", "being written");
        var reusedPid = root.File($"work/run/.latest.{parts[0]}_{parts[1]}_{long.Parse(parts[2]) - 100}_{parts[3]}.tmp", "an earlier process with my pid");
        var deadFolder = Path.Combine(root.Path, "artifacts", ".tmp", $"{parts[0]}_{ExitedPid()}_{parts[2]}_{parts[3]}");
        root.File(Path.Combine(deadFolder, "model.safetensors"), "half");
        var checkpoint = root.File("work/run/checkpoints/tokens-000000040000/model.safetensors", "complete");

        Assert.Equal([deadFolder, reusedPid], TempFiles.FindAbandoned(root.Path).Order(StringComparer.Ordinal));
        Assert.Equal(2, TempFiles.SweepAbandoned(root.Path));

        Assert.True(File.Exists(live));
        Assert.True(File.Exists(checkpoint));
        Assert.False(Directory.Exists(deadFolder));
        Assert.Empty(TempFiles.FindAbandoned(root.Path));
    }

    [Fact]
    public void Another_machines_temps_are_swept_only_once_stale()
    {
        using var root = new TempFolder();
        var fresh = root.File($"step-00000010.other-host_12_1700000000_{Guid.NewGuid():N}.tmp/state.json", "{}");
        var stale = root.File($".latest.other-host_13_1700000000_{Guid.NewGuid():N}.tmp", "x");
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddHours(-25));

        Assert.Equal([stale], TempFiles.FindAbandoned(root.Path));
        Assert.True(File.Exists(fresh));
    }

    static int ExitedPid()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }
}
