using System;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// Marks libLibTorchSharp.so's GLIBCXX_3.4.32 requirement as weak when the system libstdc++ lacks it.
/// The only symbol bound to that version (_ZSt21ios_base_library_initv) has no relocations, so the
/// library runs correctly once the loader stops refusing it. Idempotent: an already-weak entry is left alone.
/// </summary>
public class PatchLibTorchSharp : Task
{
    const string MissingVersion = "GLIBCXX_3.4.32";
    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;

    static readonly string[] LibStdCxxCandidates =
    {
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
    };

    [Required] public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

    public override bool Execute()
    {
        if (SystemHasVersion()) return true;
        foreach (var item in Files)
        {
            var path = item.GetMetadata("FullPath");
            try
            {
                if (MarkWeak(path)) Log.LogMessage(MessageImportance.High, $"Marked {MissingVersion} weak in {path}");
            }
            catch (Exception e)
            {
                Log.LogError($"Could not patch {path}: {e.Message}");
            }
        }
        return !Log.HasLoggedErrors;
    }

    static bool SystemHasVersion()
    {
        var lib = LibStdCxxCandidates.FirstOrDefault(File.Exists);
        if (lib == null) return true; // not a glibc system we know; leave the library untouched
        var needle = Encoding.ASCII.GetBytes(MissingVersion + "\0");
        return Contains(File.ReadAllBytes(lib), needle);
    }

    static bool Contains(byte[] haystack, byte[] needle)
    {
        for (int i = Array.IndexOf(haystack, needle[0]); i >= 0 && i <= haystack.Length - needle.Length;
             i = Array.IndexOf(haystack, needle[0], i + 1))
        {
            int k = 1;
            while (k < needle.Length && haystack[i + k] == needle[k]) k++;
            if (k == needle.Length) return true;
        }
        return false;
    }

    /// <summary>Returns true when the file was changed.</summary>
    static bool MarkWeak(string path)
    {
        var elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != 'E' || elf[4] != 2)
            throw new InvalidDataException("not an ELF64 file");

        long sectionHeaders = BitConverter.ToInt64(elf, 0x28);
        int entrySize = BitConverter.ToUInt16(elf, 0x3A), count = BitConverter.ToUInt16(elf, 0x3C);
        bool changed = false;
        for (int i = 0; i < count; i++)
        {
            long header = sectionHeaders + (long)i * entrySize;
            if (BitConverter.ToUInt32(elf, (int)header + 4) != ShtGnuVerneed) continue;
            long verneed = BitConverter.ToInt64(elf, (int)header + 0x18);
            int strtabIndex = (int)BitConverter.ToUInt32(elf, (int)header + 0x28);
            int needCount = (int)BitConverter.ToUInt32(elf, (int)header + 0x2C);
            long strtab = BitConverter.ToInt64(elf, (int)(sectionHeaders + (long)strtabIndex * entrySize + 0x18));
            changed |= MarkInVerneed(elf, verneed, needCount, strtab);
        }
        if (!changed) return false;

        var temp = path + ".patching";
        File.WriteAllBytes(temp, elf);
        File.Replace(temp, path, null); // atomic rename over the original
        return true;
    }

    static bool MarkInVerneed(byte[] elf, long verneed, int needCount, long strtab)
    {
        bool changed = false;
        long need = verneed;
        for (int n = 0; n < needCount; n++)
        {
            int auxCount = BitConverter.ToUInt16(elf, (int)need + 2);
            long aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
            for (int a = 0; a < auxCount; a++)
            {
                var name = ReadCString(elf, strtab + BitConverter.ToUInt32(elf, (int)aux + 8));
                ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                if (name == MissingVersion && (flags & VerFlgWeak) == 0)
                {
                    BitConverter.GetBytes((ushort)(flags | VerFlgWeak)).CopyTo(elf, (int)aux + 4);
                    changed = true;
                }
                aux += BitConverter.ToUInt32(elf, (int)aux + 12);
            }
            need += BitConverter.ToUInt32(elf, (int)need + 12);
        }
        return changed;
    }

    static string ReadCString(byte[] bytes, long offset)
    {
        int end = Array.IndexOf(bytes, (byte)0, (int)offset);
        return Encoding.ASCII.GetString(bytes, (int)offset, end - (int)offset);
    }
}
