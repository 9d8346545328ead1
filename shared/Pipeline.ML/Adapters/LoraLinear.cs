using TorchSharp.Modules;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace Pipeline.ML.Adapters;

/// <summary>
/// PEFT's lora.Linear: wraps a frozen base Linear and adds s·B(A(dropout(x))). A (r×in) starts kaiming-uniform with
/// a = √5 and B (out×r) at zero, so a fresh adapter leaves the model unchanged. With DoRA, a magnitude vector m
/// rescales each output row of W + sBA to m / ‖W + sBA‖ (the norm detached from the gradient, as in the paper).
/// </summary>
public sealed class LoraLinear : Module<Tensor, Tensor>
{
    private readonly Linear base_layer;
    private readonly Linear lora_A;
    private readonly Linear lora_B;
    private readonly Parameter? lora_magnitude_vector;
    private readonly double dropout;
    private Tensor? mergedDoraFactor; // m / ‖W + ΔW‖ at merge time; unmerge divides it back out

    public LoraLinear(Linear baseLayer, LoraConfig config, Generator? generator = null) : base(nameof(LoraLinear))
    {
        base_layer = baseLayer;
        var weight = baseLayer.weight!;
        long outFeatures = weight.shape[0], inFeatures = weight.shape[1];
        lora_A = Linear(inFeatures, config.Rank, hasBias: false, device: weight.device, dtype: weight.dtype);
        lora_B = Linear(config.Rank, outFeatures, hasBias: false, device: weight.device, dtype: weight.dtype);
        using (no_grad())
        {
            // kaiming_uniform_(a=√5) draws from U(±1/√in); drawn here so a seeded generator can make it reproducible.
            double bound = 1 / Math.Sqrt(inFeatures);
            lora_A.weight!.uniform_(-bound, bound, generator);
            init.zeros_(lora_B.weight!);
        }
        Scaling = config.Scaling;
        dropout = config.Dropout;
        if (config.UseDora) lora_magnitude_vector = new Parameter(RowNorm(weight.detach()).DetachFromDisposeScope());
        weight.requires_grad = false;
        RegisterComponents();
    }

    public double Scaling { get; }
    public bool IsDora => lora_magnitude_vector is not null;
    public bool Merged { get; private set; }
    public Linear BaseLayer => base_layer;
    public Parameter A => lora_A.weight!;
    public Parameter B => lora_B.weight!;
    public Parameter? Magnitude => lora_magnitude_vector;

    public override Tensor forward(Tensor x)
    {
        if (Merged) return base_layer.call(x);
        bool dropoutActive = dropout > 0 && training;
        if (!IsDora && !dropoutActive) return MergedForward(x);

        using var scope = NewDisposeScope();
        var result = base_layer.call(x);
        var dropped = dropoutActive ? functional.dropout(x, dropout, training) : x;
        var lora = lora_B.call(lora_A.call(dropped));
        if (!IsDora) return result.add_(lora, Scaling).MoveToOuterDisposeScope(); // in place: one less output-sized tensor per step

        // PEFT's DoraLinearLayer: base output is rescaled by (m/‖W+sBA‖ − 1), the LoRA path by m/‖W+sBA‖.
        var magnitudeScale = lora_magnitude_vector! / RowNorm(base_layer.weight! + DeltaWeight().detach()).detach();
        var baseOnDropped = ReferenceEquals(dropped, x) ? result : functional.linear(dropped, base_layer.weight!);
        return (result + (magnitudeScale - 1) * baseOnDropped + magnitudeScale * lora * Scaling).MoveToOuterDisposeScope();
    }

    /// <summary>x·(W + s·B·A)ᵀ: the same function as the unmerged path, in one matmul (see <see cref="MergedLoraFunction"/>).</summary>
    private Tensor MergedForward(Tensor x)
    {
        if (is_grad_enabled()) return MergedLoraFunction.Apply(x, base_layer.weight!, A, B, Scaling);
        using var merged = MergedLoraFunction.Merge(base_layer.weight!, A, B, Scaling);
        return functional.linear(x, merged);
    }

    /// <summary>ΔW = s·B·A, shape (out, in). For DoRA the exact change of the merged weight is in <see cref="MergedWeight"/>.</summary>
    public Tensor DeltaWeight() => matmul(lora_B.weight!, lora_A.weight!) * Scaling;

    /// <summary>The weight this layer computes with: W + ΔW, or m·(W + ΔW)/‖W + ΔW‖ with DoRA.</summary>
    public Tensor MergedWeight()
    {
        using var scope = NewDisposeScope();
        var delta = DeltaWeight().detach();
        var weight = base_layer.weight!.detach();
        return (IsDora ? DoraMerge(weight, delta, lora_magnitude_vector!.detach()) : weight + delta).MoveToOuterDisposeScope();
    }

    /// <summary>Folds the adapter into the base weight. Refuses (and leaves the weight untouched) if it would hold NaN/inf.</summary>
    public void Merge()
    {
        if (Merged) return;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var combined = base_layer.weight! + DeltaWeight();
        Tensor merged = combined;
        if (IsDora)
        {
            var factor = DoraFactor(combined, lora_magnitude_vector!.detach());
            mergedDoraFactor = factor.DetachFromDisposeScope();
            merged = factor * combined;
        }
        if (!merged.isfinite().all().item<bool>())
            throw new InvalidOperationException("merging the adapter would produce NaN or inf weights; the adapter is broken");
        base_layer.weight!.copy_(merged);
        Merged = true;
    }

    public void Unmerge()
    {
        if (!Merged) return;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var weight = base_layer.weight!;
        if (mergedDoraFactor is not null)
        {
            weight.div_(mergedDoraFactor);
            mergedDoraFactor.Dispose();
            mergedDoraFactor = null;
        }
        weight.sub_(DeltaWeight());
        Merged = false;
    }

    /// <summary>DoRA's merged weight m·(W + ΔW)/‖W + ΔW‖, row by row.</summary>
    public static Tensor DoraMerge(Tensor weight, Tensor delta, Tensor magnitude)
    {
        using var scope = NewDisposeScope();
        var combined = weight + delta;
        return (DoraFactor(combined, magnitude) * combined).MoveToOuterDisposeScope();
    }

    private static Tensor DoraFactor(Tensor combined, Tensor magnitude) => (magnitude / RowNorm(combined)).unsqueeze(1);

    /// <summary>‖row‖₂ for each output row of an (out, in) weight.</summary>
    private static Tensor RowNorm(Tensor weight) => linalg.vector_norm(weight, 2, [1]);
}
