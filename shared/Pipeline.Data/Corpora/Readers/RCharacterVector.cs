using System.Buffers.Binary;
using System.Text;
using Pipeline.Data.UserData;

namespace Pipeline.Data.Corpora.Readers;

/// <summary>Reads the one object type we need from R's XDR serialization format: a character vector (STRSXP).</summary>
internal static class RCharacterVector
{
    private const int StrSxp = 16, CharSxp = 9;
    private const int Latin1Mask = 1 << 2;

    public static IReadOnlyList<string> Parse(byte[] block, string file)
    {
        if (block.Length < 2 || block[0] != (byte)'X' || block[1] != (byte)'\n')
            throw new DataFormatException(file, 0, "format", "not an R XDR serialization (expected 'X\\n')");
        var position = 2;
        var version = ReadInt(block, ref position);
        position += 8; // writer and minimal reader R versions
        if (version == 3)
        {
            var encodingNameLength = ReadInt(block, ref position);
            position += encodingNameLength;
        }
        var header = ReadInt(block, ref position);
        if ((header & 0xFF) != StrSxp)
            throw new DataFormatException(file, 0, "type", $"expected a character vector (16), found R type {header & 0xFF}");
        var count = ReadInt(block, ref position);
        var lines = new string[count];
        for (var i = 0; i < count; i++)
            lines[i] = ReadCharSxp(block, ref position, file);
        return lines;
    }

    private static string ReadCharSxp(byte[] block, ref int position, string file)
    {
        var flags = ReadInt(block, ref position);
        if ((flags & 0xFF) != CharSxp)
            throw new DataFormatException(file, 0, "type", $"expected a string (9), found R type {flags & 0xFF}");
        var length = ReadInt(block, ref position);
        if (length < 0) return ""; // NA_character_
        var text = ((flags >> 12) & Latin1Mask) != 0 ? Encoding.Latin1.GetString(block, position, length) : Utf8(block, position, length, file);
        position += length;
        return text;
    }

    private static string Utf8(byte[] block, int position, int length, string file) =>
        Utf8Text.TryDecode(block.AsSpan(position, length), out var text, out int invalidAt)
            ? text
            : throw new DataFormatException(file, 0, null, $"not valid UTF-8 at byte offset {position + invalidAt} of the decompressed data");

    private static int ReadInt(byte[] block, ref int position)
    {
        var value = BinaryPrimitives.ReadInt32BigEndian(block.AsSpan(position, 4));
        position += 4;
        return value;
    }
}
