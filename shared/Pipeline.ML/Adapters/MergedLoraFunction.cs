using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Pipeline.ML.Adapters;

/// <summary>
/// y = x·(W + s·B·A)ᵀ, which equals PEFT's x·Wᵀ + s·(x·Aᵀ)·Bᵀ, with the gradients of A and B only.
/// Autograd on PEFT's form spends two extra thin matmuls and two extra output-sized tensors per projection and
/// step; merging the rank-r update into the (out × in) weight first costs out·r·in multiply-adds, a few hundredths
/// of the projection itself. The backward pass needs dL/dx through the merged weight, and for the adapter:
///   dA = s·(g·B)ᵀ·x,   dB = s·gᵀ·(x·Aᵀ),
/// thin products that never form an (out × in) weight gradient, which is what makes LoRA cheaper than full FT.
/// Only valid without LoRA dropout (the adapter then sees the same x as the base layer) and without DoRA.
/// </summary>
public sealed class MergedLoraFunction : autograd.SingleTensorFunction<MergedLoraFunction>
{
    public override string Name => nameof(MergedLoraFunction);

    public static Tensor Apply(Tensor x, Tensor weight, Tensor a, Tensor b, double scaling) => apply(x, weight, a, b, scaling);

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (x, weight, a, b, scaling) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2], (Tensor)vars[3], (double)vars[4]);
        var merged = weight.addmm(b, a, beta: 1, alpha: (float)scaling);
        ctx.save_for_backward([x, merged, a, b]);
        ctx.save_data("scaling", scaling);
        ctx.save_data("inputNeedsGrad", x.requires_grad); // false below frozen embeddings: skip that matmul
        return functional.linear(x, merged);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var saved = ctx.get_saved_variables();
        var (x, merged, a, b) = (saved[0], saved[1], saved[2], saved[3]);
        double scaling = (double)ctx.get_data("scaling");
        var g = gradOutput.reshape(-1, gradOutput.shape[^1]);   // (N, out)
        var x2 = x.reshape(-1, x.shape[^1]);                    // (N, in)
        var gradInput = (bool)ctx.get_data("inputNeedsGrad") ? gradOutput.matmul(merged) : null;
        var gradA = g.mm(b).t().mm(x2).mul_(scaling);          // (r, in)
        var gradB = g.t().mm(x2.mm(a.t())).mul_(scaling);      // (out, r)
        return [gradInput!, null!, gradA, gradB, null!];
    }
}
