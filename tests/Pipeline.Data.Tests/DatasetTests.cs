using Pipeline.Data.Artifacts;
using Pipeline.Data.Corpora;
using Pipeline.Data.Corpora.Code;
using Pipeline.Data.Datasets;
using Pipeline.Data.Tokenization;

namespace Pipeline.Data.Tests;

public class DatasetTests : IClassFixture<TokenizerTests.Trained>
{
    private readonly TokenizerTests.Trained _tokenizer;

    public DatasetTests(TokenizerTests.Trained tokenizer) => _tokenizer = tokenizer;

    private static IReadOnlyList<TrainingExample> Documents(int count) =>
        Enumerable.Range(0, count).Select(i => TrainingExample.Document(new CorpusDocument($"doc-{i}", $"Document {i} says hello number {i}."))).ToList();

    private static IReadOnlyList<InstructionExample> Instructions(int count) =>
        Enumerable.Range(0, count).Select(i => new InstructionExample($"q-{i}", $"q-{i}", $"Tom has {i} apples.\n", $"He has {i}.\n#### {i}")).ToList();

    private string Build(ArtifactStore store, string regime, IReadOnlyList<TrainingExample> items, Action? onBuild = null) =>
        DatasetBuilder.GetOrBuild(store, _tokenizer.Folder.Path, regime, "test-domain", DatasetBuilder.ContentHash(items),
            SplitFractions.Default, () => { onBuild?.Invoke(); return items; });

    private string Build(ArtifactStore store, IReadOnlyList<InstructionExample> items) =>
        Build(store, Regimes.Ift, items.Select(TrainingExample.Instruction).ToList());

    [Fact]
    public void A_repeated_request_hits_the_cache()
    {
        using var temp = new TempFolder();
        var store = new ArtifactStore(temp.Path);
        var builds = 0;
        var first = Build(store, Regimes.Cpt, Documents(50), () => builds++);
        var second = Build(store, Regimes.Cpt, Documents(50), () => builds++);
        var other = Build(store, Regimes.Cpt, Documents(51), () => builds++);
        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
        Assert.Equal(2, builds);
    }

    [Fact]
    public void Splits_hold_every_example_once_as_bos_prompt_response_eos_with_the_response_and_eos_trained()
    {
        using var temp = new TempFolder();
        var items = Instructions(300);
        var dataset = TokenizedDataset.Open(Build(new ArtifactStore(temp.Path), items));
        Assert.Equal(Regimes.Ift, dataset.Regime);
        var seen = new List<string>();
        foreach (var name in DocumentSplits.Names)
        {
            var split = dataset.Split(name);
            Assert.Equal(dataset.Info.Splits[name].Documents, split.DocumentCount);
            for (var i = 0; i < split.DocumentCount; i++)
            {
                var tokens = split.Document(i);
                var trained = split.TrainedSpan(i).ToArray();
                var promptLength = Array.IndexOf(trained, true);
                Assert.Equal((SpecialTokens.BosId, SpecialTokens.EosId), (tokens[0], tokens[^1]));
                Assert.All(trained[promptLength..], Assert.True);
                var prompt = _tokenizer.Tokenizer.Decode(tokens[1..promptLength]);
                seen.Add(prompt);
                var expected = items.Single(e => e.Prompt == prompt);
                Assert.Equal(name, DocumentSplits.Assign(expected.GroupId, SplitFractions.Default));
                Assert.Equal(expected.Response, _tokenizer.Tokenizer.Decode(tokens[promptLength..^1]));
            }
        }
        Assert.Equal(items.Count, seen.Distinct().Count());
        Assert.True(dataset.Split(DocumentSplits.Test).DocumentCount > 0);
    }

    [Fact]
    public void Cpt_batches_are_shifted_packed_chunks_reproducible_from_seed_and_index()
    {
        using var temp = new TempFolder();
        var split = TokenizedDataset.Open(Build(new ArtifactStore(temp.Path), Regimes.Cpt, Documents(200))).Split(DocumentSplits.Train);
        var source = BatchSource.Create(split, Regimes.Cpt, batchSize: 4, sequenceLength: 16, seed: 5, eosId: 1, padId: 2);
        var batch = source.Batch(3);
        Assert.Equal(4 * 16, batch.Inputs.Length);
        Assert.Equal(4 * 16, batch.PredictedTokens);
        for (var row = 0; row < 4; row++)
            for (var t = 0; t + 1 < 16; t++)
                Assert.Equal(batch.Inputs[row * 16 + t + 1], batch.Labels[row * 16 + t]);
        Assert.Contains(1, batch.Inputs.Concat(batch.Labels)); // documents are joined with EOS
        var again = BatchSource.Create(split, Regimes.Cpt, 4, 16, 5, 1, 2).Batch(3);
        Assert.Equal(batch.Inputs, again.Inputs);
        Assert.Equal(batch.Labels, again.Labels);
        Assert.NotEqual(batch.Inputs, BatchSource.Create(split, Regimes.Cpt, 4, 16, 6, 1, 2).Batch(3).Inputs);
    }

    [Fact]
    public void Every_chunk_appears_once_per_epoch_and_epochs_are_reshuffled()
    {
        using var temp = new TempFolder();
        var split = TokenizedDataset.Open(Build(new ArtifactStore(temp.Path), Regimes.Cpt, Documents(200))).Split(DocumentSplits.Train);
        var source = BatchSource.Create(split, Regimes.Cpt, batchSize: 1, sequenceLength: 8, seed: 1, eosId: 1, padId: 2);
        string Row(long i) => string.Join(",", source.Batch(i).Inputs);
        var epoch0 = Enumerable.Range(0, source.RowsPerEpoch).Select(i => Row(i)).ToList();
        var epoch1 = Enumerable.Range(source.RowsPerEpoch, source.RowsPerEpoch).Select(i => Row(i)).ToList();
        Assert.Equal(epoch0.Order(), epoch1.Order());
        Assert.NotEqual(epoch0, epoch1);
    }

    [Fact]
    public void Ift_rows_predict_only_the_response_and_eos()
    {
        using var temp = new TempFolder();
        var split = TokenizedDataset.Open(Build(new ArtifactStore(temp.Path), Instructions(100))).Split(DocumentSplits.Train);
        const int T = 64;
        var batch = BatchSource.Create(split, Regimes.Ift, batchSize: 8, sequenceLength: T, seed: 2, eosId: 1, padId: 2).Batch(0);
        var predicted = 0;
        for (var row = 0; row < 8; row++)
        {
            var inputs = batch.Inputs.AsSpan(row * T, T);
            var labels = batch.Labels.AsSpan(row * T, T);
            Assert.Equal(0, inputs[0]); // BOS
            var text = labels.ToArray().Where(l => l >= 0).ToList();
            Assert.Equal(1, text[^1]); // EOS is predicted
            var response = _tokenizer.Tokenizer.Decode(text.SkipLast(1));
            Assert.Matches(@"^He has \d+\.\n#### \d+$", response);
            var end = inputs.ToArray().ToList().IndexOf(2);
            Assert.True(end > 0);
            Assert.All(labels[(end - 1)..].ToArray().Skip(1), l => Assert.Equal(BatchSource.IgnoreIndex, l));
            predicted += text.Count;
        }
        Assert.Equal(predicted, batch.PredictedTokens);
    }

    [Fact]
    public void User_instruction_files_become_a_cached_ift_dataset()
    {
        using var temp = new TempFolder();
        var lines = Enumerable.Range(0, 40).Select(i => $"{{\"prompt\": \"Add {i} and 1.\\n\", \"response\": \"{i + 1}\"}}");
        var path = temp.File("user/ift.jsonl", string.Join("\n", lines));
        var examples = new Pipeline.Data.UserData.UserDataReader([Path.Combine(temp.Path, "user")]).ReadInstructionJsonl(path, Pipeline.Data.Chat.ChatFormat.For(_tokenizer.Tokenizer));
        var store = new ArtifactStore(Path.Combine(temp.Path, "store"));
        string Build() => DatasetBuilder.GetOrBuild(store, _tokenizer.Folder.Path, Regimes.Ift, "user", DatasetBuilder.ContentHash(examples),
            SplitFractions.Default, () => examples);
        var dataset = TokenizedDataset.Open(Build());
        Assert.Equal(Build(), Build());
        Assert.Equal(40, DocumentSplits.Names.Sum(n => dataset.Split(n).DocumentCount));
        Assert.Equal(2, dataset.Info.TokenBytes);
    }
}
