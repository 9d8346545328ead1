using Pipeline.Data.Tokenization;

namespace Pipeline.Data.Tests;

/// <summary>A Llama-style SentencePiece `tokenizer.model`, written here with a minimal protobuf encoder, loads through
/// TextTokenizer with its BOS/EOS ids and BPE merges (highest score first).</summary>
public class SentencePieceTests
{
    private const int Normal = 1, Unknown = 2, Control = 3, Bpe = 2;

    private static readonly string[] Merges = ["▁h", "ll", "▁he", "llo", "▁hello", "▁w", "or", "▁wor", "ld", "▁world"];

    [Fact]
    public void Tokenizer_model_loads_and_encodes_with_its_merges()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(Path.Combine(folder.Path, "tokenizer.model"), Model());
        var tokenizer = TextTokenizer.Load(folder.Path);
        Assert.Equal((1, 2, (int?)null), (tokenizer.BosId, tokenizer.EosId, tokenizer.PadId));
        Assert.Equal(3 + 8 + Merges.Length, tokenizer.VocabSize);
        var ids = tokenizer.Encode("hello world");
        Assert.Equal([3 + 8 + 4, 3 + 8 + 9], ids); // ▁hello, ▁world
        Assert.Equal("hello world", tokenizer.Decode(ids));
    }

    private static byte[] Model()
    {
        var model = new ProtoWriter();
        model.Message(1, Piece("<unk>", 0, Unknown));
        model.Message(1, Piece("<s>", 0, Control));
        model.Message(1, Piece("</s>", 0, Control));
        foreach (var c in "▁helowrd") model.Message(1, Piece(c.ToString(), 0, Normal));
        for (var i = 0; i < Merges.Length; i++) model.Message(1, Piece(Merges[i], -(i + 1), Normal));
        model.Message(2, new ProtoWriter().Varint(3, Bpe).Varint(40, 0).Varint(41, 1).Varint(42, 2).Varint(43, unchecked((ulong)-1L)));
        model.Message(3, new ProtoWriter().String(1, "identity").Varint(3, 1).Varint(4, 0).Varint(5, 1));
        return model.ToArray();
    }

    private static ProtoWriter Piece(string text, float score, int type) =>
        new ProtoWriter().String(1, text).Float(2, score).Varint(3, (ulong)type);

    private sealed class ProtoWriter
    {
        private readonly MemoryStream _bytes = new();

        public ProtoWriter Varint(int field, ulong value)
        {
            Tag(field, 0);
            Raw(value);
            return this;
        }

        public ProtoWriter Float(int field, float value)
        {
            Tag(field, 5);
            _bytes.Write(BitConverter.GetBytes(value));
            return this;
        }

        public ProtoWriter String(int field, string value) => Bytes(field, System.Text.Encoding.UTF8.GetBytes(value));

        public ProtoWriter Message(int field, ProtoWriter message) => Bytes(field, message.ToArray());

        public byte[] ToArray() => _bytes.ToArray();

        private ProtoWriter Bytes(int field, byte[] value)
        {
            Tag(field, 2);
            Raw((ulong)value.Length);
            _bytes.Write(value);
            return this;
        }

        private void Tag(int field, int wireType) => Raw((ulong)(field << 3 | wireType));

        private void Raw(ulong value)
        {
            for (; value >= 0x80; value >>= 7) _bytes.WriteByte((byte)(value | 0x80));
            _bytes.WriteByte((byte)value);
        }
    }
}
