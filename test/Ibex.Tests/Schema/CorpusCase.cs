namespace Ibex.Tests.Schema;

/// <summary>
/// One case of the round-trip corpus: a folder with <c>a.sql</c> and <c>b.sql</c>, and optionally
/// <c>args.txt</c> (extra diff arguments), <c>forward.expect</c> and <c>reverse.expect</c> (lines the script
/// turning A into B, or B into A, must contain).
/// </summary>
public sealed record CorpusCase(string Name, string Folder)
{
    public string A => File.ReadAllText(Path.Combine(Folder, "a.sql"));

    public string B => File.ReadAllText(Path.Combine(Folder, "b.sql"));

    public string[] Arguments => Lines("args.txt");

    public string[] ForwardExpect => Lines("forward.expect");

    public string[] ReverseExpect => Lines("reverse.expect");

    string[] Lines(string file)
    {
        var path = Path.Combine(Folder, file);
        return File.Exists(path) ? [.. File.ReadAllLines(path).Where(l => l.Trim().Length > 0)] : [];
    }

    public static string CorpusRoot() => SchemaFiles.Folder("Corpus");

    public static IEnumerable<string> All()
        => Directory.GetDirectories(CorpusRoot()).Select(Path.GetFileName).Order(StringComparer.Ordinal)!;

    public static CorpusCase Load(string name) => new(name, Path.Combine(CorpusRoot(), name));
}
