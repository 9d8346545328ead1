using System.Runtime.InteropServices;
using System.Text.Json;

namespace Pipeline.Data.Datasets;

/// <summary>A tokenized dataset folder: `dataset.json`, and per split `&lt;split&gt;.tokens` (little-endian uint16 when the
/// vocab fits, else uint32) with `&lt;split&gt;.index` (int64 document offsets [N+1], then int32 prompt lengths [N]).</summary>
public sealed class TokenizedDataset
{
    private readonly string _directory;
    private readonly Dictionary<string, TokenSplit> _splits = new();

    private TokenizedDataset(string directory, DatasetInfo info)
    {
        _directory = directory;
        Info = info;
    }

    public DatasetInfo Info { get; }
    public string Regime => Info.Regime;

    public static TokenizedDataset Open(string directory)
    {
        var path = Path.Combine(directory, DatasetInfo.FileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"'{directory}' is not a tokenized dataset ({DatasetInfo.FileName} missing).", path);
        try
        {
            var info = JsonSerializer.Deserialize<DatasetInfo>(File.ReadAllText(path), DataJson.Options)
                       ?? throw new DataFormatException(path, 0, null, "empty dataset description");
            return new TokenizedDataset(directory, info);
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, (int)(e.LineNumber ?? -1) + 1, e.Path, e.Message);
        }
    }

    public TokenSplit Split(string name)
    {
        lock (_splits)
        {
            if (_splits.TryGetValue(name, out var split)) return split;
            if (!Info.Splits.ContainsKey(name))
                throw new KeyNotFoundException($"Dataset has no split '{name}'; it has {string.Join(", ", Info.Splits.Keys)}.");
            return _splits[name] = TokenSplit.Read(_directory, name, Info.TokenBytes, Info.BosId);
        }
    }
}

/// <summary>One split held in memory: documents as slices of one token array.</summary>
public sealed class TokenSplit
{
    private readonly int[] _tokens;
    private readonly long[] _offsets;
    private readonly int[] _promptLengths;

    internal TokenSplit(string name, int[] tokens, long[] offsets, int[] promptLengths, int bosId)
    {
        Name = name;
        BosId = bosId;
        _tokens = tokens;
        _offsets = offsets;
        _promptLengths = promptLengths;
    }

    public string Name { get; }

    /// <summary>The BOS id of the tokenizer the split was built with (IFT rows start with it).</summary>
    public int BosId { get; }

    public int DocumentCount => _promptLengths.Length;
    public long TokenCount => _tokens.LongLength;

    public int[] Document(int i) => DocumentSpan(i).ToArray();

    public ReadOnlySpan<int> DocumentSpan(int i) => _tokens.AsSpan((int)_offsets[i], (int)(_offsets[i + 1] - _offsets[i]));

    /// <summary>Tokens of the prompt at the start of document i (0 for CPT).</summary>
    public int PromptLength(int i) => _promptLengths[i];

    internal ReadOnlySpan<int> AllTokens => _tokens;

    internal static TokenSplit Read(string directory, string name, int tokenBytes, int bosId)
    {
        var raw = File.ReadAllBytes(Path.Combine(directory, name + ".tokens"));
        var tokens = tokenBytes == 2 ? Widen(MemoryMarshal.Cast<byte, ushort>(raw)) : MemoryMarshal.Cast<byte, int>(raw).ToArray();
        var index = File.ReadAllBytes(Path.Combine(directory, name + ".index"));
        var count = (index.Length - 8) / 12;
        var offsets = MemoryMarshal.Cast<byte, long>(index.AsSpan(0, (count + 1) * 8)).ToArray();
        var prompts = MemoryMarshal.Cast<byte, int>(index.AsSpan((count + 1) * 8)).ToArray();
        if (offsets[^1] != tokens.Length)
            throw new InvalidDataException($"{Path.Combine(directory, name)}.index ends at token {offsets[^1]} but the token file holds {tokens.Length}.");
        return new TokenSplit(name, tokens, offsets, prompts, bosId);
    }

    private static int[] Widen(ReadOnlySpan<ushort> narrow)
    {
        var wide = new int[narrow.Length];
        for (var i = 0; i < narrow.Length; i++) wide[i] = narrow[i];
        return wide;
    }

    internal static void Write(string directory, string name, IReadOnlyList<(int[] Tokens, int PromptLength)> documents, int tokenBytes)
    {
        using (var tokens = new BinaryWriter(File.Create(Path.Combine(directory, name + ".tokens"))))
            foreach (var (ids, _) in documents)
                foreach (var id in ids)
                    if (tokenBytes == 2) tokens.Write(checked((ushort)id)); else tokens.Write(id);
        using var index = new BinaryWriter(File.Create(Path.Combine(directory, name + ".index")));
        long offset = 0;
        index.Write(offset);
        foreach (var (ids, _) in documents) index.Write(offset += ids.Length);
        foreach (var (_, prompt) in documents) index.Write(prompt);
    }
}
