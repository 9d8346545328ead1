using System.Globalization;

namespace Pipeline.Reporting.Scoring;

/// <summary>Culture-invariant labels for token counts and learning rates, shared by the findings and the figures.</summary>
public static class Units
{
    public static string Tokens(double tokens) => tokens switch
    {
        >= 1e9 => Invariant($"{tokens / 1e9:0.#}B"),
        >= 1e6 => Invariant($"{tokens / 1e6:0.#}M"),
        >= 1e3 => Invariant($"{tokens / 1e3:0.#}K"),
        _ => Invariant($"{tokens:0}"),
    };

    public static string Rate(double learningRate) => learningRate.ToString("0.#e0", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
