using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.ML.Training;

/// <summary>Parameters that share a learning-rate multiplier and a weight decay (e.g. LoRA+'s B matrices).</summary>
public sealed record ParameterGroup(string Name, IReadOnlyList<(string Name, Parameter Parameter)> Parameters, double LrScale, double WeightDecay);

public enum OptimizerKind { AdamW, LionW }

public sealed record OptimizerOptions
{
    public OptimizerKind Kind { get; init; } = OptimizerKind.AdamW;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.95;
    public double Eps { get; init; } = 1e-8;

    /// <summary>Decoupled (Loshchilov–Hutter) decay, PyTorch convention: each step p ← p·(1 − lr·wd).</summary>
    public double WeightDecay { get; init; }

    /// <summary>The paper's optimizer: decoupled LionW with betas (0.9, 0.95).</summary>
    public static OptimizerOptions Lion(double weightDecay = 0) => new() { Kind = OptimizerKind.LionW, WeightDecay = weightDecay };

    public Optimizer Create(IReadOnlyList<ParameterGroup> groups) => Kind switch
    {
        OptimizerKind.AdamW => new AdamW(groups, this),
        _ => new LionW(groups, this),
    };
}

/// <summary>
/// Optimizers with named, exportable state so a training run can be resumed bit for bit.
/// Weight decay is decoupled from the gradient step in both, as in torch.optim.AdamW and the Lion paper.
/// </summary>
public abstract class Optimizer(IReadOnlyList<ParameterGroup> groups, OptimizerOptions options) : IDisposable
{
    private readonly Dictionary<string, Tensor[]> state = new();

    protected OptimizerOptions Options { get; } = options;
    public IReadOnlyList<ParameterGroup> Groups { get; } = groups;
    public long StepCount { get; private set; }

    protected abstract string[] StateNames { get; }

    /// <summary>One update of every parameter that has a gradient, at base learning rate <paramref name="lr"/>.</summary>
    public void Step(double lr)
    {
        StepCount++;
        using var noGrad = no_grad();
        foreach (var group in Groups)
        {
            double groupLr = lr * group.LrScale;
            foreach (var (name, parameter) in group.Parameters)
            {
                if (parameter.grad is not { } grad) continue;
                if (group.WeightDecay != 0) parameter.mul_(1 - groupLr * group.WeightDecay);
                Update(parameter, grad, StateOf(name, parameter), groupLr);
            }
        }
    }

    public void ZeroGrad()
    {
        foreach (var (_, parameter) in Groups.SelectMany(g => g.Parameters)) parameter.grad?.zero_();
    }

    protected abstract void Update(Tensor parameter, Tensor grad, Tensor[] state, double lr);

    /// <summary>State tensors keyed "{state}.{parameter name}", plus the step count.</summary>
    public Dictionary<string, Tensor> StateDict()
    {
        var dict = new Dictionary<string, Tensor> { ["step"] = tensor(new[] { StepCount }) };
        foreach (var (name, tensors) in state)
            for (int i = 0; i < StateNames.Length; i++) dict[$"{StateNames[i]}.{name}"] = tensors[i];
        return dict;
    }

    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> dict)
    {
        StepCount = dict["step"].item<long>();
        foreach (var (name, parameter) in Groups.SelectMany(g => g.Parameters))
        {
            if (!dict.ContainsKey($"{StateNames[0]}.{name}")) continue;
            var tensors = StateOf(name, parameter);
            for (int i = 0; i < StateNames.Length; i++) tensors[i].copy_(dict[$"{StateNames[i]}.{name}"]);
        }
    }

    private Tensor[] StateOf(string name, Tensor parameter)
    {
        if (!state.TryGetValue(name, out var tensors))
        {
            tensors = StateNames.Select(_ => zeros_like(parameter).DetachFromDisposeScope()).ToArray();
            state[name] = tensors;
        }
        return tensors;
    }

    public void Dispose()
    {
        foreach (var tensor in state.Values.SelectMany(t => t)) tensor.Dispose();
        state.Clear();
        GC.SuppressFinalize(this);
    }
}

/// <summary>torch.optim.AdamW: bias-corrected first and second moments.</summary>
public sealed class AdamW(IReadOnlyList<ParameterGroup> groups, OptimizerOptions options) : Optimizer(groups, options)
{
    protected override string[] StateNames { get; } = ["exp_avg", "exp_avg_sq"];

    protected override void Update(Tensor parameter, Tensor grad, Tensor[] state, double lr)
    {
        var (expAvg, expAvgSq) = (state[0], state[1]);
        expAvg.lerp_(grad, 1 - Options.Beta1);
        expAvgSq.mul_(Options.Beta2).addcmul_(grad, grad, 1 - Options.Beta2);
        double biasCorrection1 = 1 - Math.Pow(Options.Beta1, StepCount);
        double biasCorrection2 = 1 - Math.Pow(Options.Beta2, StepCount);
        using var denom = (expAvgSq.sqrt() / Math.Sqrt(biasCorrection2)).add_(Options.Eps);
        parameter.addcdiv_(expAvg, denom, -lr / biasCorrection1);
    }
}

/// <summary>Lion (Chen et al. 2023): the sign of an interpolated momentum, then the momentum update.</summary>
public sealed class LionW(IReadOnlyList<ParameterGroup> groups, OptimizerOptions options) : Optimizer(groups, options)
{
    protected override string[] StateNames { get; } = ["exp_avg"];

    protected override void Update(Tensor parameter, Tensor grad, Tensor[] state, double lr)
    {
        var expAvg = state[0];
        using var update = expAvg.lerp(grad, 1 - Options.Beta1).sign_();
        parameter.add_(update, -lr);
        expAvg.lerp_(grad, 1 - Options.Beta2);
    }
}
