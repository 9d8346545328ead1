using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts;
using Pipeline.Contracts.Experiments;
using Pipeline.Hosting.Messaging;
using Pipeline.Persistence;
using Pipeline.Persistence.Rows;

namespace Pipeline.Workflow.Orchestration;

public sealed record SubmitResult(Guid ExperimentId, string Name, int RunCount, bool AlreadySubmitted);

/// <summary>
/// Validates a request, records the experiment and publishes ExperimentSubmitted through the outbox. An invalid
/// request throws before anything is written or published; resubmitting identical content is a no-op.
/// </summary>
public sealed class ExperimentSubmitter(ResultsDb db, Outbox outbox, ExperimentCatalog catalog)
{
    public async Task<SubmitResult> SubmitAsync(ExperimentRequest request, string source, CancellationToken ct)
    {
        var experiment = new ExperimentValidator(catalog).Parse(request, source);
        var runCount = experiment.Cells.Count;
        var hash = ExperimentRequestFile.ContentHash(request);
        var existing = await db.Experiments.AsNoTracking().SingleOrDefaultAsync(e => e.Name == experiment.Name, ct);
        if (existing is not null)
        {
            if (existing.ContentHash != hash)
                throw new ExperimentRequestException(source, [new ValidationError("$.name",
                    $"an experiment named '{experiment.Name}' already exists with different content; choose another name")]);
            return new SubmitResult(existing.Id, existing.Name, runCount, AlreadySubmitted: true);
        }

        var id = DeterministicId.Experiment(experiment.Name);
        db.Experiments.Add(new ExperimentRow
        {
            Id = id, Name = experiment.Name, ContentHash = hash, RequestJson = StoredJson.Write(request),
            Status = ExperimentStatus.Submitted, SubmittedAt = DateTime.UtcNow,
        });
        outbox.Add(new ExperimentSubmitted(id, experiment.Name, experiment));
        await db.SaveChangesAsync(ct);
        await outbox.DispatchAsync(ct);
        return new SubmitResult(id, experiment.Name, runCount, AlreadySubmitted: false);
    }
}
