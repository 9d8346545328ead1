using System.Text;

namespace Pipeline.Data.UserData;

/// <summary>Reads a text file as strict UTF-8 line by line, so a bad byte is reported with its line number.</summary>
internal static class Utf8Lines
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static IEnumerable<(int Number, string Text)> Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length == 0) throw new DataFormatException(path, 0, null, "the file is empty");
        var start = bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? 3 : 0;
        var number = 0;
        while (start < bytes.Length)
        {
            number++;
            var end = Array.IndexOf(bytes, (byte)'\n', start);
            if (end < 0) end = bytes.Length;
            yield return (number, Decode(path, number, bytes, start, end - start).TrimEnd('\r'));
            start = end + 1;
        }
    }

    public static string ReadAll(string path)
    {
        var text = string.Join('\n', Read(path).Select(l => l.Text));
        return text.Trim().Length > 0 ? text : throw new DataFormatException(path, 0, null, "the file holds only whitespace");
    }

    private static string Decode(string path, int line, byte[] bytes, int start, int length)
    {
        try
        {
            return Strict.GetString(bytes, start, length);
        }
        catch (DecoderFallbackException e)
        {
            throw new DataFormatException(path, line, null, $"not valid UTF-8 (byte 0x{e.BytesUnknown?.FirstOrDefault():X2} at column {e.Index + 1})");
        }
    }
}
