using System.Runtime.InteropServices;
using System.Text.Json;

namespace Pipeline.Data.Datasets;

/// <summary>A tokenized dataset folder: `dataset.json`, and per split `&lt;split&gt;.tokens` (little-endian uint16 when the
/// vocab fits, else uint32), `&lt;split&gt;.index` (int64 document offsets [N+1]) and `&lt;split&gt;.mask` (one byte per
/// token: 1 where it carries loss).</summary>
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
            return _splits[name] = TokenSplit.Read(_directory, name, Info.TokenBytes);
        }
    }
}

/// <summary>One tokenized example: its ids and, per id, whether it carries loss.</summary>
public sealed record TokenizedDocument(int[] Ids, bool[] Trained, bool HasTrainedText);

/// <summary>One split held in memory: documents as slices of one token array, with one loss-mask flag per token.</summary>
public sealed class TokenSplit
{
    private readonly int[] _tokens;
    private readonly bool[] _trained;
    private readonly long[] _offsets;

    private TokenSplit(string name, int[] tokens, bool[] trained, long[] offsets)
    {
        Name = name;
        _tokens = tokens;
        _trained = trained;
        _offsets = offsets;
    }

    public string Name { get; }

    public int DocumentCount => _offsets.Length - 1;
    public long TokenCount => _tokens.LongLength;

    public int[] Document(int i) => DocumentSpan(i).ToArray();

    public ReadOnlySpan<int> DocumentSpan(int i) => _tokens.AsSpan(Range(i));

    /// <summary>Per token of document i, whether it is trained on (all of a CPT document; the responses, assistant
    /// turns and EOS of an IFT one).</summary>
    public ReadOnlySpan<bool> TrainedSpan(int i) => _trained.AsSpan(Range(i));

    internal ReadOnlySpan<int> AllTokens => _tokens;

    private Range Range(int i) => (int)_offsets[i]..(int)_offsets[i + 1];

    internal static TokenSplit Read(string directory, string name, int tokenBytes)
    {
        var path = Path.Combine(directory, name);
        var raw = File.ReadAllBytes(path + ".tokens");
        var tokens = tokenBytes == 2 ? Widen(MemoryMarshal.Cast<byte, ushort>(raw)) : MemoryMarshal.Cast<byte, int>(raw).ToArray();
        var offsets = MemoryMarshal.Cast<byte, long>(File.ReadAllBytes(path + ".index")).ToArray();
        var trained = Array.ConvertAll(File.ReadAllBytes(path + ".mask"), b => b != 0);
        if (offsets[^1] != tokens.Length || trained.Length != tokens.Length)
            throw new InvalidDataException($"{path}: the index ends at token {offsets[^1]} and the mask holds {trained.Length} flags, but the token file holds {tokens.Length}.");
        return new TokenSplit(name, tokens, trained, offsets);
    }

    private static int[] Widen(ReadOnlySpan<ushort> narrow)
    {
        var wide = new int[narrow.Length];
        for (var i = 0; i < narrow.Length; i++) wide[i] = narrow[i];
        return wide;
    }

    internal static void Write(string directory, string name, IReadOnlyList<TokenizedDocument> documents, int tokenBytes)
    {
        var path = Path.Combine(directory, name);
        using (var tokens = new BinaryWriter(File.Create(path + ".tokens")))
            foreach (var id in documents.SelectMany(d => d.Ids))
                if (tokenBytes == 2) tokens.Write(checked((ushort)id)); else tokens.Write(id);
        using (var mask = File.Create(path + ".mask"))
            mask.Write(documents.SelectMany(d => d.Trained).Select(t => t ? (byte)1 : (byte)0).ToArray());
        using var index = new BinaryWriter(File.Create(path + ".index"));
        long offset = 0;
        index.Write(offset);
        foreach (var document in documents) index.Write(offset += document.Ids.Length);
    }
}
