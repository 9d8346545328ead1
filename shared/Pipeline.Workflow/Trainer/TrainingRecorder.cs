using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts.Stages;
using Pipeline.Persistence;
using Pipeline.Persistence.Rows;
using Serilog;

namespace Pipeline.Workflow.Trainer;

/// <summary>
/// Receives progress from the training loop (synchronously, on its thread) and writes it in the background: curve
/// points into training_curves (once per step, even when a resumed run reports a step again) and the latest figures
/// onto the run row, which `pipeline status` shows.
/// </summary>
public sealed class TrainingRecorder : IProgress<RunProgress>, IAsyncDisposable
{
    static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(2);
    readonly Channel<RunProgress> points = Channel.CreateUnbounded<RunProgress>(new() { SingleReader = true });
    readonly ResultsDbSettings settings;
    readonly Guid runId;
    readonly Task writer;
    readonly CancellationTokenSource finished = new();
    DateTime lastLog = DateTime.MinValue;

    public TrainingRecorder(ResultsDbSettings settings, Guid runId)
    {
        this.settings = settings;
        this.runId = runId;
        writer = Task.Run(WriteAsync);
    }

    public void Report(RunProgress value)
    {
        points.Writer.TryWrite(value);
        if (DateTime.UtcNow - lastLog < TimeSpan.FromSeconds(30)) return;
        lastLog = DateTime.UtcNow;
        Log.Information("Step {Step}/{TotalSteps}, {Tokens} tokens, loss {Loss:F4}, lr {LearningRate:E2}, {TokensPerSecond:F0} tokens/s, ETA {Eta}",
            value.Step, value.TotalSteps, value.TokensSeen, value.Loss, value.LearningRate, value.TokensPerSecond, value.Eta);
    }

    async Task WriteAsync()
    {
        var batch = new List<RunProgress>();
        while (await points.Reader.WaitToReadAsync())
        {
            while (points.Reader.TryRead(out var point)) batch.Add(point);
            try
            {
                await SaveAsync(batch);
                batch.Clear();
            }
            catch (Exception e) when (e is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
            {
                Log.Warning(e, "Could not record {Count} progress points; keeping them for the next flush", batch.Count);
            }
            // Batch writes while training runs; once it has finished, flush the rest at once.
            await Task.Delay(FlushInterval, finished.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        }
        if (batch.Count > 0) await SaveAsync(batch);
    }

    async Task SaveAsync(IReadOnlyList<RunProgress> batch)
    {
        if (batch.Count == 0) return;
        await using var db = ResultsDbSetup.Open(settings);
        var steps = batch.Select(p => p.Step).ToList();
        var known = await db.TrainingCurves.Where(c => c.RunId == runId && steps.Contains(c.Step)).Select(c => c.Step).ToListAsync();
        var now = DateTime.UtcNow;
        db.TrainingCurves.AddRange(batch.DistinctBy(p => p.Step).Where(p => !known.Contains(p.Step)).Select(p => new TrainingCurveRow
        {
            RunId = runId, Step = p.Step, TokensSeen = p.TokensSeen, Loss = p.Loss, LearningRate = p.LearningRate,
            TokensPerSecond = p.TokensPerSecond, RecordedAt = now,
        }));
        var latest = batch[^1];
        if (await db.Runs.SingleOrDefaultAsync(r => r.Id == runId) is { } run)
        {
            run.Step = latest.Step;
            run.TotalSteps = latest.TotalSteps;
            run.TokensSeen = latest.TokensSeen;
            run.TotalTokens = latest.TotalTokens;
            run.Loss = latest.Loss;
            run.TokensPerSecond = latest.TokensPerSecond;
            run.EtaSeconds = latest.Eta?.TotalSeconds;
            run.UpdatedAt = now;
        }
        await db.SaveChangesAsync();
    }

    /// <summary>Writes what is left; training has ended, so nothing more arrives.</summary>
    public async ValueTask DisposeAsync()
    {
        points.Writer.TryComplete();
        await finished.CancelAsync();
        try { await writer; }
        catch (Exception e) { Log.Warning(e, "Last progress points were not recorded"); }
        finished.Dispose();
    }
}
