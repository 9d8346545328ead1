using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Pipeline.Data.UserData;

/// <summary>
/// Strict UTF-8 for every text file a user hands us: an invalid, truncated, overlong or surrogate sequence is refused
/// with its byte offset from the start of the file, never replaced by U+FFFD.
/// </summary>
public static class Utf8Text
{
    /// <summary>The file's text, without a leading byte-order mark.</summary>
    public static string ReadFile(string path) => Decode(path, File.ReadAllBytes(path));

    /// <summary>Decodes a whole file's <paramref name="bytes"/>, skipping a leading byte-order mark.</summary>
    public static string Decode(string path, ReadOnlySpan<byte> bytes)
    {
        int start = bytes.StartsWith(Encoding.UTF8.Preamble) ? Encoding.UTF8.Preamble.Length : 0;
        if (TryDecode(bytes[start..], out var text, out int invalidAt)) return text;
        throw NotUtf8(path, bytes, start + invalidAt);
    }

    /// <summary>Decodes <paramref name="bytes"/> as they are (a byte-order mark is kept as U+FEFF).</summary>
    /// <param name="invalidAt">Where the first invalid sequence starts, when it returns false.</param>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out string text, out int invalidAt)
    {
        var chars = new char[bytes.Length]; // UTF-8 never takes fewer bytes than UTF-16 takes chars
        var status = Utf8.ToUtf16(bytes, chars, out int read, out int written, replaceInvalidSequences: false);
        text = status == OperationStatus.Done ? new string(chars, 0, written) : "";
        invalidAt = status == OperationStatus.Done ? -1 : read;
        return status == OperationStatus.Done;
    }

    /// <summary>Line and column (counted in bytes, both 1-based) locate the byte in an editor; the offset in a hex dump.</summary>
    private static DataFormatException NotUtf8(string path, ReadOnlySpan<byte> bytes, int offset)
    {
        var before = bytes[..offset];
        int line = before.Count((byte)'\n') + 1;
        int column = offset - before.LastIndexOf((byte)'\n');
        return new DataFormatException(path, line, null, $"not valid UTF-8 at byte offset {offset} (line {line}, column {column})");
    }
}
