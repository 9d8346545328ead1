using System.Text.Json;

namespace Pipeline.Data.Artifacts;

/// <summary>A folder of immutable, content-addressed artifacts (datasets, tokenizers, models, checkpoints). Each artifact
/// is a directory under its key (e.g. `datasets/3fa2…`), written in a temp folder and renamed into place whole, with
/// the sha256 of every file recorded in `artifact.json` and verified when it is read back.</summary>
public sealed class ArtifactStore
{
    public const string ManifestName = "artifact.json";

    public ArtifactStore(string root)
    {
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    /// <summary>True when a complete artifact exists under the key (contents are verified by <see cref="Get"/>).</summary>
    public bool Contains(string key) => File.Exists(Path.Combine(PathOf(key), ManifestName));

    /// <summary>The artifact's directory, after checking every file against its recorded sha256.</summary>
    public string Get(string key)
    {
        var directory = PathOf(key);
        var manifestPath = Path.Combine(directory, ManifestName);
        if (!File.Exists(manifestPath)) throw new KeyNotFoundException($"No artifact '{key}' in the store at '{Root}'.");
        var manifest = JsonSerializer.Deserialize<ArtifactManifest>(File.ReadAllText(manifestPath), DataJson.Options)
                       ?? throw new DataFormatException(manifestPath, 0, null, "empty artifact manifest");
        foreach (var (file, expected) in manifest.Files)
        {
            var path = ResolveInside(directory, file);
            var actual = File.Exists(path) ? Hashing.Sha256OfFile(path) : "missing";
            if (actual != expected)
                throw new InvalidDataException($"Artifact '{key}' is corrupt: {file} sha256 {actual}, recorded {expected}.");
        }
        return directory;
    }

    /// <summary>Returns the existing artifact, or builds it: `build` fills an empty temp folder, which then becomes the
    /// artifact in one rename. A failed build leaves nothing behind.</summary>
    public string GetOrCreate(string key, Action<string> build)
    {
        if (Contains(key)) return Get(key);
        var final = PathOf(key);
        var temp = PathOf($"{TempFiles.TempFolder}/{TempFiles.NewName()}");
        Directory.CreateDirectory(temp);
        try
        {
            build(temp);
            WriteManifest(key, temp);
            Directory.CreateDirectory(Path.GetDirectoryName(final)!);
            try
            {
                Directory.Move(temp, final);
            }
            catch (IOException) when (Contains(key))
            {
                // Another process published the same content first; keep theirs.
            }
            return Get(key);
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
    }

    /// <summary>Stores a copy of a single file as an artifact and returns the stored file's path.</summary>
    public string PutFile(string key, string sourceFile)
    {
        var name = Path.GetFileName(sourceFile);
        var directory = GetOrCreate(key, temp => File.Copy(sourceFile, Path.Combine(temp, name)));
        return Path.Combine(directory, name);
    }

    /// <summary>The absolute path of a key; keys are '/'-separated segments of [A-Za-z0-9._-], never '.' or '..'.</summary>
    public string PathOf(string key)
    {
        var segments = key.Split('/');
        if (segments.Any(s => s.Length == 0 || s is "." or ".." || !s.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')))
            throw new ArgumentException($"Invalid artifact key '{key}': use '/'-separated segments of letters, digits, '.', '_' and '-'.", nameof(key));
        return ResolveInside(Root, key);
    }

    /// <summary>Resolves a relative path under a root, refusing anything (including a symlink on the way) that leads outside it.</summary>
    public static string ResolveInside(string root, string relative)
    {
        var fullRoot = Path.GetFullPath(root);
        var full = Path.GetFullPath(Path.Combine(fullRoot, relative));
        if (!IsUnder(fullRoot, full))
            throw new UnauthorizedAccessException($"Path '{relative}' escapes the root '{fullRoot}'.");
        for (var current = full; current.Length > fullRoot.Length; current = Path.GetDirectoryName(current)!)
        {
            var info = new FileInfo(current);
            if (info.Exists || Directory.Exists(current))
            {
                var target = info.Exists ? info.ResolveLinkTarget(true) : new DirectoryInfo(current).ResolveLinkTarget(true);
                if (target is not null && !IsUnder(fullRoot, target.FullName))
                    throw new UnauthorizedAccessException($"Path '{relative}' goes through a symlink to '{target.FullName}', outside the root '{fullRoot}'.");
            }
        }
        return full;
    }

    private static bool IsUnder(string root, string path) =>
        path == root || path.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static void WriteManifest(string key, string directory)
    {
        var files = Directory.GetFiles(directory, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(directory, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToDictionary(f => f, f => Hashing.Sha256OfFile(Path.Combine(directory, f)));
        var manifest = new ArtifactManifest(key, DateTimeOffset.UtcNow, files);
        File.WriteAllText(Path.Combine(directory, ManifestName), JsonSerializer.Serialize(manifest, DataJson.Indented));
    }

    private sealed record ArtifactManifest(string Key, DateTimeOffset CreatedAt, Dictionary<string, string> Files);
}
