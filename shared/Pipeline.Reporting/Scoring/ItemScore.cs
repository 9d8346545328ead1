namespace Pipeline.Reporting.Scoring;

/// <summary>One evaluated item: a document or question of a task, by its index in the task file (lm-eval's doc_id).</summary>
public readonly record struct ItemKey(string Task, int DocId);

/// <summary>
/// A score computed from per-item results, carried with each item's influence: its first-order share of the score's
/// error (the delta method; Miller 2024, §3–4). Influences add and scale like the scores they belong to, so two scores
/// of the same items subtract item by item and the spread between items, which both share, cancels: that is the paired
/// standard error. Items of one source document are correlated, so the variance sums influences within each cluster
/// first (cluster-robust, stratified by task):
/// Var = Σ_task G/(G−1) · Σ_cluster (Σ_item ψ)², with G the task's number of clusters.
/// For a mean of n values ψ_i = (v_i − v̄)/n, which gives the harness's s/√n; for a ratio Σy/Σx, ψ_i = (y_i − R·x_i)/Σx.
/// </summary>
public sealed class ItemScore
{
    private readonly IReadOnlyDictionary<ItemKey, double> _influence;
    private readonly IReadOnlyDictionary<ItemKey, string> _clusters;

    public double Value { get; }

    /// <summary>Each item's own score (a document's bits/byte, a question's 0/1), where this is a direct score; null for a derived one.</summary>
    public IReadOnlyDictionary<ItemKey, double>? PerItem { get; }

    public IReadOnlyCollection<ItemKey> Items => (IReadOnlyCollection<ItemKey>)_influence.Keys;

    private ItemScore(double value, IReadOnlyDictionary<ItemKey, double> influence, IReadOnlyDictionary<ItemKey, string> clusters,
        IReadOnlyDictionary<ItemKey, double>? perItem)
    {
        Value = value;
        _influence = influence;
        _clusters = clusters;
        PerItem = perItem;
    }

    /// <summary>The mean of per-item values.</summary>
    public static ItemScore Mean(IReadOnlyList<(ItemKey Key, string Cluster, double Value)> items)
    {
        if (items.Count == 0) throw new ArgumentException("a mean needs at least one item", nameof(items));
        var mean = items.Average(i => i.Value);
        return new(mean,
            items.ToDictionary(i => i.Key, i => (i.Value - mean) / items.Count),
            items.ToDictionary(i => i.Key, i => i.Cluster),
            items.ToDictionary(i => i.Key, i => i.Value));
    }

    /// <summary>The pooled ratio Σnumerator / Σdenominator (a corpus's bits per byte); each item's own score is its own ratio.</summary>
    public static ItemScore Ratio(IReadOnlyList<(ItemKey Key, string Cluster, double Numerator, double Denominator)> items)
    {
        var total = items.Sum(i => i.Denominator);
        if (items.Count == 0 || total == 0) throw new ArgumentException("a ratio needs items with a non-zero total denominator", nameof(items));
        var ratio = items.Sum(i => i.Numerator) / total;
        return new(ratio,
            items.ToDictionary(i => i.Key, i => (i.Numerator - ratio * i.Denominator) / total),
            items.ToDictionary(i => i.Key, i => i.Cluster),
            items.ToDictionary(i => i.Key, i => i.Numerator / i.Denominator));
    }

    /// <summary>
    /// Σ weight·score as a new score of value <paramref name="value"/> (the function's value, when the weights are its
    /// partial derivatives), or of Σ weight·value by default. Items any term lacks count zero in that term.
    /// </summary>
    public static ItemScore Combine(IReadOnlyList<(double Weight, ItemScore Score)> terms, double? value = null)
    {
        var influence = new Dictionary<ItemKey, double>();
        var clusters = new Dictionary<ItemKey, string>();
        foreach (var (weight, score) in terms)
            foreach (var (key, psi) in score._influence)
            {
                influence[key] = influence.GetValueOrDefault(key) + weight * psi;
                clusters[key] = score._clusters[key];
            }
        return new(value ?? terms.Sum(t => t.Weight * t.Score.Value), influence, clusters, perItem: null);
    }

    /// <summary>The unweighted mean of scores on different tasks (a domain's score); each item keeps its own score.</summary>
    public static ItemScore MeanOfTasks(IReadOnlyList<ItemScore> tasks)
    {
        if (tasks.Count == 1) return tasks[0];
        var mean = Combine([.. tasks.Select(t => (1.0 / tasks.Count, t))]);
        var perItem = tasks.All(t => t.PerItem is not null) ? tasks.SelectMany(t => t.PerItem!).ToDictionary() : null;
        return new(mean.Value, mean._influence, mean._clusters, perItem);
    }

    /// <summary>This score minus another of the same items, paired item by item; each item's own score is its own difference.</summary>
    public ItemScore Minus(ItemScore other)
    {
        var difference = Combine([(1, this), (-1, other)]);
        var perItem = PerItem is not null && other.PerItem is not null
            ? PerItem.ToDictionary(p => p.Key, p => p.Value - other.PerItem[p.Key])
            : null;
        return new(difference.Value, difference._influence, difference._clusters, perItem);
    }

    public ItemScore Scale(double factor) => new(Value * factor,
        _influence.ToDictionary(p => p.Key, p => p.Value * factor), _clusters,
        PerItem?.ToDictionary(p => p.Key, p => p.Value * factor));

    public bool HasSameItems(ItemScore other) => _influence.Count == other._influence.Count && _influence.Keys.All(other._influence.ContainsKey);

    /// <summary>The stratified cluster-robust standard error; null when a task has a single cluster (no spread to measure).</summary>
    public double? StdErr
    {
        get
        {
            double variance = 0;
            foreach (var task in _influence.GroupBy(p => p.Key.Task))
            {
                var clusterSums = task.GroupBy(p => _clusters[p.Key]).Select(g => g.Sum(p => p.Value)).ToList();
                if (clusterSums.Count < 2) return null;
                variance += clusterSums.Count / (clusterSums.Count - 1.0) * clusterSums.Sum(s => s * s);
            }
            return Math.Sqrt(variance);
        }
    }

    /// <summary>How many items have a positive, a negative and a zero own score (for a difference: which model each item favours).</summary>
    public SignCounts? Signs => PerItem is null ? null : SignCounts.Of(PerItem.Values);

    public int ClusterCount => _influence.Keys.Select(k => (k.Task, _clusters[k])).Distinct().Count();
}

/// <summary>How many items or seeds came out positive, negative and tied.</summary>
public readonly record struct SignCounts(int Positive, int Negative, int Zero)
{
    public int Total => Positive + Negative + Zero;

    /// <summary>Those agreeing in sign with <paramref name="effect"/>: the positive ones for a positive effect, the negative for a negative, the ties for zero.</summary>
    public int AgreeingWith(double effect) => effect > 0 ? Positive : effect < 0 ? Negative : Zero;

    public static SignCounts Of(IEnumerable<double> values)
    {
        var list = values.ToList();
        return new(list.Count(v => v > 0), list.Count(v => v < 0), list.Count(v => v == 0));
    }
}
