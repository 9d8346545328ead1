using System.Runtime.InteropServices;

namespace Pipeline.ML;

/// <summary>
/// glibc keeps the memory of freed blocks for reuse. With the variable-size activation and logits buffers of
/// evaluation it fragments the heap, and the process grows with every scoring batch although the live tensors are
/// constant. Handing the free pages back every few batches keeps memory flat; after every batch it would cost
/// scoring time in page faults. A low fixed mmap threshold (MALLOC_MMAP_THRESHOLD_, the usual PyTorch advice) also
/// keeps it flat, but page-faults every activation afresh and slows training. The figures are in docs/benchmarks.md.
/// </summary>
public static class GlibcHeap
{
    /// <summary>malloc_trim(0): returns every free page to the system; a no-op where the C library is not glibc.</summary>
    public static void ReleaseFreeMemory()
    {
        if (!OperatingSystem.IsLinux()) return;
        try { malloc_trim(0); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }

    [DllImport("libc")]
    private static extern int malloc_trim(nuint pad);
}
