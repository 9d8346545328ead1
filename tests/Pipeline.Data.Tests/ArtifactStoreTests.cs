using Pipeline.Data.Artifacts;

namespace Pipeline.Data.Tests;

public class ArtifactStoreTests
{
    [Fact]
    public void A_repeated_request_reuses_the_stored_artifact()
    {
        using var temp = new TempFolder();
        var store = new ArtifactStore(temp.Path);
        var builds = 0;
        var first = store.GetOrCreate("things/abc", d => { builds++; File.WriteAllText(Path.Combine(d, "x.txt"), "hello"); });
        var second = store.GetOrCreate("things/abc", _ => builds++);
        Assert.Equal(1, builds);
        Assert.Equal(first, second);
        Assert.Equal("hello", File.ReadAllText(Path.Combine(second, "x.txt")));
    }

    [Fact]
    public void A_corrupted_file_is_detected_on_read()
    {
        using var temp = new TempFolder();
        var store = new ArtifactStore(temp.Path);
        var directory = store.GetOrCreate("models/m1", d => File.WriteAllText(Path.Combine(d, "weights.bin"), "0123"));
        File.WriteAllText(Path.Combine(directory, "weights.bin"), "0124");
        var error = Assert.Throws<InvalidDataException>(() => store.Get("models/m1"));
        Assert.Contains("weights.bin", error.Message);
    }

    [Fact]
    public void A_failed_build_leaves_nothing_behind()
    {
        using var temp = new TempFolder();
        var store = new ArtifactStore(temp.Path);
        Assert.Throws<IOException>(() => store.GetOrCreate("d/k", d => { File.WriteAllText(Path.Combine(d, "half"), "x"); throw new IOException("disk full"); }));
        Assert.False(store.Contains("d/k"));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(temp.Path, ".tmp")));
    }

    [Theory]
    [InlineData("../outside")]
    [InlineData("a/../../b")]
    [InlineData("/etc/passwd")]
    [InlineData("a//b")]
    public void Keys_that_could_leave_the_root_are_rejected(string key)
    {
        using var temp = new TempFolder();
        Assert.Throws<ArgumentException>(() => new ArtifactStore(temp.Path).PathOf(key));
    }

    [Fact]
    public void A_symlink_escaping_the_root_is_rejected()
    {
        using var temp = new TempFolder();
        using var outside = new TempFolder();
        var store = new ArtifactStore(temp.Path);
        Directory.CreateSymbolicLink(Path.Combine(temp.Path, "link"), outside.Path);
        var error = Assert.Throws<UnauthorizedAccessException>(() => store.PathOf("link/file"));
        Assert.Contains("symlink", error.Message);
    }

    [Fact]
    public void A_single_file_can_be_stored_and_read_back()
    {
        using var temp = new TempFolder();
        var store = new ArtifactStore(Path.Combine(temp.Path, "store"));
        var source = temp.File("ckpt.safetensors", "tensor bytes");
        var stored = store.PutFile("checkpoints/run1-step10", source);
        Assert.Equal("tensor bytes", File.ReadAllText(stored));
        Assert.StartsWith(store.Get("checkpoints/run1-step10"), stored);
    }
}
