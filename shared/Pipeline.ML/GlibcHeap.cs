using System.Runtime.InteropServices;

namespace Pipeline.ML;

/// <summary>
/// glibc raises its mmap threshold each time a large block is freed, after which libtorch's big activation and
/// logits buffers come from the main heap and fragment it: the process grows ~5 MB per forward of the tiny model
/// with a constant number of live tensors. A fixed threshold sends them back to mmap, so each is returned to the
/// system when freed and memory stays flat on long runs (measured: 440 → 1000 MB over 120 forwards without,
/// 215 → 225 MB with). PyTorch users meet the same thing and set MALLOC_MMAP_THRESHOLD_.
/// </summary>
public static class GlibcHeap
{
    private const int MmapThreshold = -3; // M_MMAP_THRESHOLD in malloc.h

    /// <summary>Call once at process start; a no-op where the C library is not glibc.</summary>
    public static bool UseMmapForLargeBlocks(int thresholdBytes = 1 << 20)
    {
        if (!OperatingSystem.IsLinux()) return false;
        try { return mallopt(MmapThreshold, thresholdBytes) == 1; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
    }

    [DllImport("libc")]
    private static extern int mallopt(int param, int value);
}
