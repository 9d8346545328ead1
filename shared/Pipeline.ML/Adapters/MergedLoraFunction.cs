using System.Collections;
using System.Reflection;
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

    /// <summary>The context of the forward that <c>apply</c> just ran on this thread: the way to its node's output cache.</summary>
    [ThreadStatic] private static autograd.AutogradContext? lastContext;

    public static Tensor Apply(Tensor x, Tensor weight, Tensor a, Tensor b, double scaling)
    {
        var output = apply(x, weight, a, b, scaling);
        OutputCache.Release(lastContext);
        lastContext = null;
        return output;
    }

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (x, weight, a, b, scaling) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2], (Tensor)vars[3], (double)vars[4]);
        lastContext = ctx;
        ctx.save_for_backward([x, weight, a, b]);
        ctx.save_data("scaling", scaling);
        ctx.save_data("inputNeedsGrad", x.requires_grad); // false below frozen embeddings: skip that matmul
        using var merged = Merge(weight, a, b, scaling);
        return functional.linear(x, merged);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        ReleaseHandedOverGradients();
        if (gradOutput.IsInvalid) return [null!, null!, null!, null!, null!]; // unused output: its cache was released, so no zeros were made
        using (var scope = NewDisposeScope())
        {
            var saved = ctx.get_saved_variables();
            var (x, weight, a, b) = (saved[0], saved[1], saved[2], saved[3]);
            double scaling = (double)ctx.get_data("scaling");
            var g = gradOutput.reshape(-1, gradOutput.shape[^1]);   // (N, out)
            var x2 = x.reshape(-1, x.shape[^1]);                    // (N, in)
            var gradInput = (bool)ctx.get_data("inputNeedsGrad") ? gradOutput.matmul(Merge(weight, a, b, scaling)) : null;
            var gradA = g.mm(b).t().mm(x2).mul_(scaling);          // (r, in)
            var gradB = g.t().mm(x2.mm(a.t())).mul_(scaling);      // (out, r)
            handedOver = [.. new[] { gradInput, gradA, gradB }.OfType<Tensor>().Select(t => t.MoveToOuterDisposeScope())];
            gradOutput.Dispose();
            return [gradInput!, null!, gradA, gradB, null!];
        }
    }

    /// <summary>W + s·B·A. Recomputed in backward rather than saved: out·r·in multiply-adds against an (out × in) tensor per projection held through the step.</summary>
    internal static Tensor Merge(Tensor weight, Tensor a, Tensor b, double scaling) => weight.addmm(b, a, beta: 1, alpha: (float)scaling);

    /// <summary>
    /// The .NET wrappers of the incoming gradient, the saved tensors and the returned gradients would each hold their
    /// tensor until the training step's dispose scope ends: an output- and an input-sized tensor per projection, kept
    /// to the end of the backward pass where native nodes free them as it goes. The engine holds its own reference to
    /// what a backward call returned once the call is over, so the next call releases those wrappers.
    /// </summary>
    [ThreadStatic] private static List<Tensor>? handedOver;

    private static void ReleaseHandedOverGradients()
    {
        handedOver?.ForEach(t => t.Dispose());
        handedOver = null;
    }
}

/// <summary>
/// TorchSharp 0.107's custom-function node keeps an uninitialised <c>empty_like</c> of every output
/// (<c>Node&lt;T&gt;._outputCache</c>) until the graph is freed, only to build zeros when an output gets no gradient.
/// For LoRA that is one extra output-sized tensor per projection held from forward to backward (~170 MB at the tiny
/// preset), which put LoRA's peak memory above full finetuning's. Every LoRA output reaches the loss, so its gradient
/// is always defined and the cache is never read: release it right after the forward pass. The fields are private, so
/// this degrades to doing nothing if a TorchSharp version renames them.
/// </summary>
internal static class OutputCache
{
    private const BindingFlags Private = BindingFlags.Instance | BindingFlags.NonPublic;

    private static readonly FieldInfo? NodeField = typeof(autograd.AutogradContext).GetField("_node", Private);

    private static readonly FieldInfo? CacheField = typeof(autograd.AutogradContext).Assembly
        .GetType("TorchSharp.torch+autograd+Node`1")?.MakeGenericType(typeof(MergedLoraFunction)).GetField("_outputCache", Private);

    /// <summary>Whether this TorchSharp version has the fields the release needs.</summary>
    public static bool IsSupported => NodeField is not null && CacheField is not null;

    public static void Release(autograd.AutogradContext? context)
    {
        if (context is null || !IsSupported || CacheField!.GetValue(NodeField!.GetValue(context)) is not IList cache) return;
        for (int i = 0; i < cache.Count; i++)
        {
            (cache[i] as Tensor)?.Dispose();
            cache[i] = null;
        }
    }
}
