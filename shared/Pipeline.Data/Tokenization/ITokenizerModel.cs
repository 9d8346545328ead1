namespace Pipeline.Data.Tokenization;

/// <summary>One tokenizer file format, run exactly as its reference implementation runs it.</summary>
internal interface ITokenizerModel
{
    /// <summary>One past the largest id, added tokens included (Hugging Face's `get_vocab_size(True)`).</summary>
    int VocabSize { get; }

    /// <summary>Ids of the text; special tokens written in the text are split out as Hugging Face does, and with
    /// <paramref name="addSpecialTokens"/> the post-processor adds the model's own (BOS, EOS, ...).</summary>
    int[] Encode(string text, bool addSpecialTokens);

    string Decode(IReadOnlyList<int> ids, bool skipSpecialTokens);

    /// <summary>The vocabulary's string for an id (Hugging Face's `id_to_token`), or null outside the vocabulary.</summary>
    string? TokenOf(int id);

    int? IdOf(string token);

    /// <summary>The added tokens marked special (those `skip_special_tokens` drops).</summary>
    IReadOnlyList<string> AddedSpecialTokens { get; }
}
