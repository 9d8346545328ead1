using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Pipeline.Contracts.Stages;
using Pipeline.Data.Artifacts;
using Pipeline.Data.Corpora;
using Pipeline.Data.Datasets;
using Pipeline.Data.Tokenization;
using Pipeline.ML.Modeling;
using Pipeline.ML.Training;
using static TorchSharp.torch;

namespace Pipeline.Compute.Trainer;

/// <summary>
/// The trainer service's compute. <see cref="PretrainAsync"/> pretrains a built-in preset from Llama's
/// initialisation on the source corpus (AdamW, the paper's cosine schedule), straight into the artifact store under
/// the request's cache key. <see cref="FinetuneAsync"/> trains one grid cell on the target dataset and yields a
/// checkpoint per milestone as soon as it is stored. Both resume from their state after a crash: checkpoints and
/// state are keyed by content, so a redelivered or retried run yields what is already stored and trains on from its
/// last state instead of starting over.
/// </summary>
public sealed class TrainerStage(ArtifactStore store, ComputeSettings settings, Device device, ComputeGate gate) : ITrainerStage
{
    public Task<ModelArtifact> PretrainAsync(BasePretrainRequest request, IProgress<RunProgress> progress, CancellationToken ct) =>
        gate.RunAsync(() => Pretrain(request, progress, ct), ct);

    public async IAsyncEnumerable<CheckpointArtifact> FinetuneAsync(RunRequest run, IProgress<RunProgress> progress,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var plan = Plan(run);
        var yielded = new HashSet<int>();
        foreach (var stored in plan.StoredCheckpoints(store))
        {
            yielded.Add(stored.MilestoneIndex);
            yield return stored;
        }

        var saved = Channel.CreateUnbounded<CheckpointArtifact>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var training = gate.RunAsync(() =>
        {
            try
            {
                TrainingRun.Finetune(plan.BaseDirectory, plan.Batches, plan.Spec, plan.StateDirectory, plan.Writer(store), device,
                    RunProgressReport.To(progress, run.TokenBudget), c => saved.Writer.TryWrite(plan.Artifact(store, c.Index, c.Step)), stop.Token);
                saved.Writer.Complete();
            }
            catch (TrainingDivergedException e) { saved.Writer.Complete(new RunDivergedException(e.Step, e.Message)); }
            catch (Exception e) { saved.Writer.Complete(e); }
        }, stop.Token);
        try
        {
            await foreach (var checkpoint in saved.Reader.ReadAllAsync(ct))
                if (yielded.Add(checkpoint.MilestoneIndex)) yield return checkpoint;
            await training;
        }
        finally
        {
            // The caller stopped reading (its announcement failed, it is shutting down): stop this training too, so
            // that it cannot finish unseen, behind the retry that resumes it.
            await StopAsync(training, stop);
        }
        // Whatever reached the store while this call waited or resumed (another attempt's milestones) is announced too.
        foreach (var stored in plan.StoredCheckpoints(store))
            if (yielded.Add(stored.MilestoneIndex)) yield return stored;
    }

    private ModelArtifact Pretrain(BasePretrainRequest request, IProgress<RunProgress> progress, CancellationToken ct)
    {
        var dataset = TokenizedDataset.Open(ArtifactRefs.Resolve(store, request.Corpus.Artifact));
        var tokenizer = BuiltInTokenizer.GetOrTrain(store, CorpusBundle.Open());
        var config = ModelPresets.Get(request.Preset, dataset.Info.VocabSize) with { BosTokenId = dataset.Info.BosId, EosTokenId = dataset.Info.EosId };
        int sequence = TrainingLayout.SequenceLength(settings, config);
        var batches = BatchSource.Create(dataset.Split("train"), dataset.Regime, settings.BatchSize, sequence, request.Seed,
            config.EosTokenId, config.PadTokenId ?? config.EosTokenId);
        long steps = TrainingVocabulary.StepsFor(request.TokenBudget, settings.BatchSize, sequence, 1);
        var options = new TrainingOptions
        {
            LearningRate = settings.PretrainLearningRate,
            Schedule = TrainingVocabulary.PaperSchedule(ScheduleKind.Cosine, steps),
            Optimizer = new OptimizerOptions { Kind = OptimizerKind.AdamW, WeightDecay = 0.1 },
            Seed = request.Seed,
        };
        var stateDirectory = TrainingLayout.StateDirectory(store, request.CacheKey);
        store.GetOrCreate(request.CacheKey, directory => TrainingRun.Pretrain(config, batches, options, directory, stateDirectory, device,
            tokenizer, RunProgressReport.To(progress, request.TokenBudget), ct));
        return new ModelArtifact(request.CacheKey, $"{request.Preset} pretrained on {request.Corpus.Name} ({request.TokenBudget:N0} tokens)",
            ArtifactRefs.Of(store, request.CacheKey));
    }

    private static async Task StopAsync(Task training, CancellationTokenSource stop)
    {
        if (training.IsCompleted) return;
        await stop.CancelAsync();
        try { await training; }
        catch (OperationCanceledException) { }
    }

    private RunPlan Plan(RunRequest run)
    {
        var baseDirectory = ArtifactRefs.Resolve(store, run.BaseModel.Artifact);
        var target = run.Datasets.Single(d => d.Domain == "target");
        var dataset = TokenizedDataset.Open(ArtifactRefs.Resolve(store, target.Artifact));
        var config = LlamaConfig.Load(Path.Combine(baseDirectory, "config.json"));
        int sequence = TrainingLayout.SequenceLength(settings, config);
        var batches = BatchSource.Create(dataset.Split("train"), dataset.Regime, settings.BatchSize, sequence, run.Spec.Seed,
            config.EosTokenId, config.PadTokenId ?? config.EosTokenId);
        long steps = TrainingVocabulary.StepsFor(run.TokenBudget, settings.BatchSize, sequence, 1);
        var runKey = ContentKey.Of("runs", new
        {
            format = 1, spec = run.Spec.Key, baseModel = run.BaseModel.Artifact.Sha256, data = target.Artifact.Sha256,
            run.Regime, run.TokenBudget, run.Milestones, settings.BatchSize, sequence,
        });
        return new RunPlan(run, runKey, baseDirectory, batches, RunSpecs.ForCell(run.Spec, run.Milestones, steps),
            TrainingLayout.StateDirectory(store, runKey), (long)settings.BatchSize * sequence);
    }

    private sealed record RunPlan(RunRequest Run, string RunKey, string BaseDirectory, IBatchSource Batches, RunSpec Spec,
        string StateDirectory, long TokensPerStep)
    {
        private bool IsAdapter => Spec.Adapter is not null;

        public string CheckpointKey(int milestone) => $"checkpoints/{RunKey.Split('/')[1]}-{milestone:D3}";

        public CheckpointWriter Writer(ArtifactStore store) => (milestone, write) =>
            store.GetOrCreate(CheckpointKey(milestone.Index), write);

        public CheckpointArtifact Artifact(ArtifactStore store, int milestone, long step)
        {
            var checkpoint = ArtifactRefs.Of(store, CheckpointKey(milestone));
            return new CheckpointArtifact(milestone, step, Run.Milestones[milestone],
                IsAdapter ? Run.BaseModel.Artifact : checkpoint, IsAdapter ? checkpoint : null);
        }

        public IEnumerable<CheckpointArtifact> StoredCheckpoints(ArtifactStore store) =>
            Enumerable.Range(0, Run.Milestones.Count)
                .TakeWhile(i => store.Contains(CheckpointKey(i)))
                .Select(i => Artifact(store, i, (Run.Milestones[i] + TokensPerStep - 1) / TokensPerStep));
    }
}
