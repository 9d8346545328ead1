namespace Pipeline.Reporting.Scoring;

public static class Pareto
{
    /// <summary>Points no other point beats on both x and y, in order of x (both axes: higher is better).</summary>
    public static IReadOnlyList<T> Front<T>(IEnumerable<T> points, Func<T, double> x, Func<T, double> y)
    {
        var front = new List<T>();
        foreach (var p in points.OrderByDescending(x).ThenByDescending(y))
            if (front.Count == 0 || y(p) > y(front[^1])) front.Add(p);
        front.Reverse();
        return front;
    }
}
