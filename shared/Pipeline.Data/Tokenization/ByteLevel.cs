using System.Text.RegularExpressions;

namespace Pipeline.Data.Tokenization;

/// <summary>GPT-2's byte-level conventions: the pre-tokenizer regex and the reversible byte → printable-char map
/// (printable Latin-1 bytes map to themselves, the rest to U+0100 upwards, so a space becomes 'Ġ').</summary>
public static class ByteLevel
{
    private const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    public static readonly Regex Gpt2Regex = new(Gpt2Pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);

    public static readonly IReadOnlyList<char> ByteToChar = BuildByteToChar();

    public static readonly IReadOnlyDictionary<char, byte> CharToByte =
        Enumerable.Range(0, 256).ToDictionary(b => ByteToChar[b], b => (byte)b);

    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++) chars[i] = ByteToChar[bytes[i]];
        return new string(chars);
    }

    public static byte[] Decode(string token) => token.Select(c => CharToByte[c]).ToArray();

    private static char[] BuildByteToChar()
    {
        var map = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= '¡' and <= '¬' or >= '®' and <= 'ÿ';
            map[b] = printable ? (char)b : (char)next++;
        }
        return map;
    }
}
