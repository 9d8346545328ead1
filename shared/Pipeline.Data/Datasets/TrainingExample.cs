using System.Text;
using Pipeline.Data.Corpora;
using Pipeline.Data.Corpora.Code;

namespace Pipeline.Data.Datasets;

/// <summary>A piece of an example's text; only trained pieces carry loss.</summary>
public sealed record TextSegment(string Text, bool Trained);

/// <summary>What the dataset builder tokenizes: text segments in order, each tokenized on its own. A `Framed` example
/// (a prompt/response pair) is stored as BOS + text + EOS, with the EOS trained; a chat conversation rendered by its
/// template holds its own special tokens; a CPT document is stored bare and joined to the next with EOS when packed.</summary>
public sealed record TrainingExample(string Id, string GroupId, IReadOnlyList<TextSegment> Segments, bool Framed)
{
    public static TrainingExample Document(CorpusDocument document) => new(document.Id, document.Id, [new(document.Text, true)], Framed: false);

    public static TrainingExample Instruction(InstructionExample example) =>
        new(example.Id, example.GroupId, [new(example.Prompt, false), new(example.Response, true)], Framed: true);

    public long Utf8Bytes => Segments.Sum(s => (long)Encoding.UTF8.GetByteCount(s.Text));
}
