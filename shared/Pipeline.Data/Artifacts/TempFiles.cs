using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Pipeline.Data.Artifacts;

/// <summary>
/// Temporary files and folders (an artifact or checkpoint being written, before its rename into place) carry the
/// name of the process writing them: host, pid and start time. A process killed mid-write leaves its temp behind;
/// <see cref="SweepAbandoned"/> then tells it from one still being written, and removes it.
/// </summary>
public static partial class TempFiles
{
    public const string Suffix = ".tmp";
    public const string TempFolder = ".tmp";
    static readonly TimeSpan ForeignAge = TimeSpan.FromHours(24);
    static readonly string Host = HostPattern().Replace(Environment.MachineName, "-");
    static readonly long StartSeconds = StartOf(Process.GetCurrentProcess());
    static readonly EnumerationOptions AllEntries = new() { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 }; // dot-names count as hidden

    /// <summary>A unique, owner-stamped name part: host_pid_start_guid (letters, digits, '-' and '_' only).</summary>
    public static string NewName() => $"{Host}_{Environment.ProcessId}_{StartSeconds}_{Guid.NewGuid():N}";

    /// <summary>Removes every temp under <paramref name="root"/> whose writer is gone; returns how many it removed.</summary>
    public static int SweepAbandoned(string root)
    {
        var abandoned = FindAbandoned(root);
        foreach (var path in abandoned)
        {
            try
            {
                if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
                else File.Delete(path);
            }
            catch (DirectoryNotFoundException) { } // another process's sweep was first
        }
        return abandoned.Count;
    }

    /// <summary>Temps under <paramref name="root"/> left by a writer that no longer runs (killed mid-write).</summary>
    public static IReadOnlyList<string> FindAbandoned(string root) =>
        Directory.Exists(root)
            ? Directory.EnumerateFileSystemEntries(root, "*", AllEntries)
                .Where(IsTemp).Where(IsAbandoned).Where(p => !IsInsideOtherTemp(p)).ToList()
            : [];

    /// <summary>A temp is named *.tmp, or lives in the store's ".tmp" folder (the folder itself is not one).</summary>
    static bool IsTemp(string path) => Path.GetFileName(path) is var name && name != TempFolder &&
        (name.EndsWith(Suffix, StringComparison.Ordinal) || Path.GetFileName(Path.GetDirectoryName(path)) == TempFolder);

    static bool IsInsideOtherTemp(string path)
    {
        for (var parent = Path.GetDirectoryName(path); parent is not null; parent = Path.GetDirectoryName(parent))
            if (IsTemp(parent)) return true;
        return false;
    }

    static bool IsAbandoned(string path)
    {
        var owner = OwnerPattern().Match(Path.GetFileName(path));
        if (!owner.Success || owner.Groups["host"].Value != Host)
            return DateTime.UtcNow - File.GetLastWriteTimeUtc(path) > ForeignAge; // another machine's, or unstamped: only when stale
        return !IsRunning(int.Parse(owner.Groups["pid"].Value), long.Parse(owner.Groups["start"].Value));
    }

    static bool IsRunning(int pid, long startSeconds)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return Math.Abs(StartOf(process) - startSeconds) <= 1; // the same pid reused by a later process is not the writer
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    static long StartOf(Process process) => new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeSeconds();

    [GeneratedRegex("[^A-Za-z0-9-]")]
    private static partial Regex HostPattern();

    [GeneratedRegex(@"(?<host>[A-Za-z0-9-]+)_(?<pid>\d+)_(?<start>\d+)_[0-9a-f]{32}")]
    private static partial Regex OwnerPattern();
}
