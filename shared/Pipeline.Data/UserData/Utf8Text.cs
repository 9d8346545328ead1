using System.Text;

namespace Pipeline.Data.UserData;

/// <summary>A whole text file as strict UTF-8, verbatim (line endings kept; a leading BOM dropped).</summary>
public static class Utf8Text
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string ReadFile(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var start = bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? 3 : 0;
        try
        {
            return Strict.GetString(bytes, start, bytes.Length - start);
        }
        catch (DecoderFallbackException e)
        {
            throw new DataFormatException(path, 0, null, $"not valid UTF-8 at byte offset {start + e.Index}");
        }
    }
}
