using TorchSharp;
using Pipeline.ML.Modeling;

namespace Pipeline.ML.Evaluation;

/// <summary>No gradients and no dropout for the lifetime of the scope; the model's training flag is restored after.</summary>
internal sealed class InferenceMode : IDisposable
{
    private readonly LlamaForCausalLM model;
    private readonly bool wasTraining;
    private readonly IDisposable noGrad;

    public InferenceMode(LlamaForCausalLM model)
    {
        this.model = model;
        wasTraining = model.training;
        noGrad = torch.no_grad();
        model.eval();
    }

    public void Dispose()
    {
        model.train(wasTraining);
        noGrad.Dispose();
    }
}
